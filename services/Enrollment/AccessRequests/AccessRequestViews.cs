using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Chart;

namespace PortalPlatform.Enrollment.AccessRequests;

/// <summary>How staff see the access-request events: the kind's text, history entries, the revocation's harm determination.</summary>
public static class AccessRequestViews
{
    /// <summary>How staff see each kind of request.</summary>
    public static string TextOf(AccessRequestKind kind) => kind switch
    {
        AccessRequestKind.Review => "Review request",
        AccessRequestKind.Renewal => "New invitation request",
        _ => "Access request",
    };

    /// <summary>The history entry of an access-request event; null for any other event.</summary>
    public static HistoryEntry? EntryFor(long version, object data, PortalStatus status) => data switch
    {
        AccessRequested e => new(version, "AccessRequested", e.RequestedAt, "patient", status, new()
        {
            ["requestId"] = e.RequestId.ToString(),
            ["kind"] = e.Kind.ToString(),
            ["kindText"] = TextOf(e.Kind),
            ["proof"] = e.Proof.ToString(),
        }),
        AccessRequestDeclined e => new(version, "AccessRequestDeclined", e.DeclinedAt, e.DeclinedBy, status, new()
        {
            ["requestId"] = e.RequestId.ToString(),
            ["kind"] = e.Kind.ToString(),
            ["reason"] = e.Reason,
            ["role"] = e.DeclinedByRole,
        }),
        AccessRequestApproved e => new(version, "AccessRequestApproved", e.ApprovedAt, e.ApprovedBy, status, new()
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
