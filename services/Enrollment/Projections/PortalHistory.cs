using JasperFx.Events;
using Marten.Events.Aggregation;
using DeliveryChannel = PortalPlatform.Contracts.DeliveryChannel;
using InvitationTemplate = PortalPlatform.Contracts.InvitationTemplate;
using PortalStatus = PortalPlatform.Contracts.PortalStatus;
using PortalPlatform.Enrollment.AccessRequests;
using PortalPlatform.Enrollment.PortalAccess;

namespace PortalPlatform.Enrollment.Projections;

/// <summary>Every change of one patient's portal access, oldest first, with who, when and why (inline). Id = the stream id.</summary>
public sealed class PortalHistory
{
    public Guid Id { get; set; }
    public Guid PracticeId { get; set; }
    public string PatientId { get; set; } = "";
    public List<HistoryEntry> Entries { get; set; } = [];
}

/// <param name="Details">What the staff member needs to understand the change (reason, note, channel, ...).</param>
public sealed record HistoryEntry(
    long Version, string Type, DateTimeOffset At, string Actor, PortalStatus StatusAfter, Dictionary<string, string?> Details);

public sealed class PortalHistoryProjection : SingleStreamProjection<PortalHistory, Guid>
{
    public override PortalHistory? Evolve(PortalHistory? snapshot, Guid id, IEvent e)
    {
        if (e.Data is not IPortalAccessEvent data)
        {
            return snapshot;
        }

        var history = snapshot ?? new PortalHistory { Id = id, PracticeId = data.PracticeId, PatientId = data.PatientId };
        var before = history.Entries.Count == 0 ? PortalStatus.NotInvited : history.Entries[^1].StatusAfter;
        history.Entries.Add(EntryFor(e.Version, e.Data, before));
        return history;
    }

    private static HistoryEntry EntryFor(long version, object data, PortalStatus before) => AccessRequestViews.EntryFor(version, data, before) ?? data switch
    {
        DemographicsRecorded d => new(version, "DemographicsRecorded", d.RecordedAt, d.RecordedBy, before, []),
        InvitationIssued i => new(version, "InvitationIssued", i.IssuedAt, i.IssuedBy, PortalStatus.Invited, new()
        {
            ["invitationId"] = i.InvitationId.ToString(),
            ["expiresAt"] = i.ExpiresAt.ToString("O"),
            ["email"] = i.Email,
            ["phone"] = i.Phone,
            ["template"] = i.Template.ToString(),
            ["replacesInvitationId"] = i.ReplacesInvitationId?.ToString(),
        }),
        InvitationCancelled c => new(version, "InvitationCancelled", c.CancelledAt, c.CancelledBy, c.RestoredStatus,
            new() { ["invitationId"] = c.InvitationId.ToString() }),
        InvitationExpired x => new(version, "InvitationExpired", x.ExpiredAt, Actor.ExpiryJob.Id, PortalStatus.InviteExpired,
            new() { ["invitationId"] = x.InvitationId.ToString() }),
        InvitationDelivered d => new(version, "InvitationDelivered", d.DeliveredAt, Actor.Notification.Id, before,
            new() { ["invitationId"] = d.InvitationId.ToString(), ["channel"] = d.Channel.ToString() }),
        InvitationDeliveryFailed f => new(version, "InvitationDeliveryFailed", f.FailedAt, Actor.Notification.Id, before,
            new() { ["invitationId"] = f.InvitationId.ToString(), ["channel"] = f.Channel.ToString(), ["reason"] = f.Reason, ["permanent"] = f.Permanent.ToString() }),
        VerificationLocked l => new(version, "VerificationLocked", l.LockedAt, Actor.IdentityVerification.Id, PortalStatus.VerificationLocked,
            new() { ["invitationId"] = l.InvitationId.ToString(), ["failedAttempts"] = l.FailedAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture) }),
        RegistrationCompleted r => new(version, "RegistrationCompleted", r.CompletedAt, Actor.IdentityVerification.Id, PortalStatus.Enrolled,
            new() { ["invitationId"] = r.InvitationId.ToString() }),
        AccessRevoked r => new(version, "AccessRevoked", r.RevokedAt, r.RevokedBy, PortalStatus.AccessRevoked, RevocationDetails(r)),
        ProxyInvited p => new(version, "ProxyInvited", p.InvitedAt, p.InvitedBy, before,
            new() { ["proxyId"] = p.ProxyId.ToString(), ["relationship"] = p.Relationship, ["invitationId"] = p.InvitationId.ToString() }),
        ProxyAccessGranted g => new(version, "ProxyAccessGranted", g.GrantedAt, Actor.IdentityVerification.Id, before,
            new() { ["proxyId"] = g.ProxyId.ToString(), ["relationship"] = g.Relationship }),
        ProxyAccessRevoked r => new(version, "ProxyAccessRevoked", r.RevokedAt, r.RevokedBy, before,
            new() { ["proxyId"] = r.ProxyId.ToString() }),
        _ => new(version, data.GetType().Name, DateTimeOffset.MinValue, "unknown", before, []),
    };

    private static Dictionary<string, string?> RevocationDetails(AccessRevoked r)
    {
        var details = new Dictionary<string, string?> { ["reason"] = r.Reason.ToString(), ["note"] = r.Note, ["role"] = r.RevokedByRole };
        AccessRequestViews.AddHarm(details, r.Harm);
        return details;
    }
}
