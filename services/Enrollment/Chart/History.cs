using System.Globalization;
using JasperFx.Events;
using PortalPlatform.Enrollment.AccessRequests;
using PortalPlatform.Enrollment.Cancelling;
using PortalPlatform.Enrollment.Delivering;
using PortalPlatform.Enrollment.Expiring;
using PortalPlatform.Enrollment.Inviting;
using PortalPlatform.Enrollment.PortalAccess;
using PortalPlatform.Enrollment.Proxies;
using PortalPlatform.Enrollment.RecordingDemographics;
using PortalPlatform.Enrollment.Registering;
using PortalPlatform.Enrollment.Revoking;
using PortalStatus = PortalPlatform.Contracts.PortalStatus;

namespace PortalPlatform.Enrollment.Chart;

/// <param name="Version">The access stream's version after the change (a receipt carries the version it arrived at).</param>
/// <param name="Details">What the staff member needs to understand the change (reason, note, channel, ...).</param>
public sealed record HistoryEntry(
    long Version, string Type, DateTimeOffset At, string Actor, PortalStatus StatusAfter, Dictionary<string, string?> Details);

/// <summary>
/// Every change of one patient's portal access, oldest first, with who, when and why: read from the access stream and
/// its receipts stream in commit order when the chart asks (nothing is written for it on the command path).
/// </summary>
public static class History
{
    public static IReadOnlyList<HistoryEntry> Of(IReadOnlyList<IEvent> access, IReadOnlyList<IEvent> receipts)
    {
        var entries = new List<HistoryEntry>(access.Count + receipts.Count);
        var (version, status) = (0L, PortalStatus.NotInvited);
        foreach (var e in access.Concat(receipts).OrderBy(e => e.Sequence))
        {
            if (e.Data is IPortalAccessEvent)
            {
                version++;
                status = PortalAccessState.StatusChangeOf(e.Data)?.After ?? status;
            }

            entries.Add(EntryFor(version, e.Data, status));
        }

        return entries;
    }

    private static HistoryEntry EntryFor(long version, object data, PortalStatus status) => AccessRequestViews.EntryFor(version, data, status) ?? data switch
    {
        DemographicsRecorded d => new(version, "DemographicsRecorded", d.RecordedAt, d.RecordedBy, status, []),
        InvitationIssued i => new(version, "InvitationIssued", i.IssuedAt, i.IssuedBy, status, new()
        {
            ["invitationId"] = i.InvitationId.ToString(),
            ["expiresAt"] = i.ExpiresAt.ToString("O"),
            ["email"] = i.Email,
            ["phone"] = i.Phone,
            ["template"] = i.Template.ToString(),
            ["replacesInvitationId"] = i.ReplacesInvitationId?.ToString(),
        }),
        InvitationCancelled c => new(version, "InvitationCancelled", c.CancelledAt, c.CancelledBy, status,
            new() { ["invitationId"] = c.InvitationId.ToString() }),
        InvitationExpired x => new(version, "InvitationExpired", x.ExpiredAt, Actor.ExpiryJob.Id, status,
            new() { ["invitationId"] = x.InvitationId.ToString() }),
        InvitationDelivered d => new(version, "InvitationDelivered", d.DeliveredAt, Actor.Notification.Id, status,
            new() { ["invitationId"] = d.InvitationId.ToString(), ["channel"] = d.Channel.ToString() }),
        InvitationDeliveryFailed f => new(version, "InvitationDeliveryFailed", f.FailedAt, Actor.Notification.Id, status,
            new() { ["invitationId"] = f.InvitationId.ToString(), ["channel"] = f.Channel.ToString(), ["reason"] = f.Reason, ["permanent"] = f.Permanent.ToString() }),
        VerificationLocked l => new(version, "VerificationLocked", l.LockedAt, Actor.IdentityVerification.Id, status,
            new() { ["invitationId"] = l.InvitationId.ToString(), ["failedAttempts"] = l.FailedAttempts.ToString(CultureInfo.InvariantCulture) }),
        RegistrationCompleted r => new(version, "RegistrationCompleted", r.CompletedAt, Actor.IdentityVerification.Id, status,
            new() { ["invitationId"] = r.InvitationId.ToString() }),
        AccessRevoked r => new(version, "AccessRevoked", r.RevokedAt, r.RevokedBy, status, RevocationDetails(r)),
        ProxyInvited p => new(version, "ProxyInvited", p.InvitedAt, p.InvitedBy, status,
            new() { ["proxyId"] = p.ProxyId.ToString(), ["relationship"] = p.Relationship, ["invitationId"] = p.InvitationId.ToString() }),
        ProxyAccessGranted g => new(version, "ProxyAccessGranted", g.GrantedAt, Actor.IdentityVerification.Id, status,
            new() { ["proxyId"] = g.ProxyId.ToString(), ["relationship"] = g.Relationship }),
        ProxyAccessRevoked r => new(version, "ProxyAccessRevoked", r.RevokedAt, r.RevokedBy, status,
            new() { ["proxyId"] = r.ProxyId.ToString() }),
        _ => new(version, data.GetType().Name, DateTimeOffset.MinValue, "unknown", status, []),
    };

    private static Dictionary<string, string?> RevocationDetails(AccessRevoked r)
    {
        var details = new Dictionary<string, string?> { ["reason"] = r.Reason.ToString(), ["note"] = r.Note, ["role"] = r.RevokedByRole };
        AccessRequestViews.AddHarm(details, r.Harm);
        return details;
    }
}
