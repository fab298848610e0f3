using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.PortalAccess;
using AccessRevoked = PortalPlatform.Enrollment.PortalAccess.AccessRevoked;
using RegistrationCompleted = PortalPlatform.Enrollment.PortalAccess.RegistrationCompleted;
using PortalPlatform.Enrollment.Projections;

namespace PortalPlatform.Enrollment.AccessRequests;

/// <summary>The open request as the chart and the dashboard list show it (part of <see cref="PortalStatusView"/>).</summary>
public sealed class AccessRequestView
{
    public Guid RequestId { get; set; }
    public AccessRequestKind Kind { get; set; }
    public AccessRequestProof Proof { get; set; }
    public DateTimeOffset RequestedAt { get; set; }
}

/// <summary>What the access-request events change in the read models.</summary>
public static class AccessRequestViews
{
    /// <summary>How staff see each kind of request.</summary>
    public static string TextOf(AccessRequestKind kind) => kind switch
    {
        AccessRequestKind.Review => "Review request",
        AccessRequestKind.Renewal => "New invitation request",
        _ => "Access request",
    };

    public static void Apply(PortalStatusView view, object data)
    {
        switch (data)
        {
            case AccessRequested e:
                view.OpenAccessRequest = new AccessRequestView { RequestId = e.RequestId, Kind = e.Kind, Proof = e.Proof, RequestedAt = e.RequestedAt };
                view.UpdatedAt = e.RequestedAt;
                break;
            case AccessRequestDeclined e:
                view.OpenAccessRequest = null;
                view.UpdatedAt = e.DeclinedAt;
                break;
            case AccessRequestApproved or RegistrationCompleted or AccessRevoked:
                view.OpenAccessRequest = null;
                break;
        }

        view.HasOpenAccessRequest = view.OpenAccessRequest is not null;
    }

    /// <summary>The history entry of an access-request event; null for any other event.</summary>
    public static HistoryEntry? EntryFor(long version, object data, PortalStatus before) => data switch
    {
        AccessRequested e => new(version, "AccessRequested", e.RequestedAt, "patient", before, new()
        {
            ["requestId"] = e.RequestId.ToString(),
            ["kind"] = e.Kind.ToString(),
            ["kindText"] = TextOf(e.Kind),
            ["proof"] = e.Proof.ToString(),
        }),
        AccessRequestDeclined e => new(version, "AccessRequestDeclined", e.DeclinedAt, e.DeclinedBy, before, new()
        {
            ["requestId"] = e.RequestId.ToString(),
            ["kind"] = e.Kind.ToString(),
            ["reason"] = e.Reason,
            ["role"] = e.DeclinedByRole,
        }),
        AccessRequestApproved e => new(version, "AccessRequestApproved", e.ApprovedAt, e.ApprovedBy, before, new()
        {
            ["requestId"] = e.RequestId.ToString(),
            ["kind"] = e.Kind.ToString(),
            ["invitationId"] = e.InvitationId.ToString(),
        }),
        _ => null,
    };

    /// <summary>The revocation's harm determination as history details (the note stays where it was).</summary>
    public static void AddHarm(Dictionary<string, string?> details, HarmDetermination? harm)
    {
        if (harm is null)
        {
            return;
        }

        details["decidingClinicianId"] = harm.DecidingClinicianId;
        details["decidingClinician"] = harm.DecidingClinicianName;
        details["basis"] = harm.Basis.ToString();
        details["scope"] = harm.Scope.ToString();
    }
}
