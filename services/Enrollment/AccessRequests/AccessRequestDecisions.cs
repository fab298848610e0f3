using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Inviting;
using PortalPlatform.Enrollment.PortalAccess;

namespace PortalPlatform.Enrollment.AccessRequests;

/// <summary>The rules of the way back that other commands share (re-invite and decline both answer a request).</summary>
public static class AccessRequestDecisions
{
    /// <summary>The kind of request the patient's status allows, or null when a request does not fit it.</summary>
    public static AccessRequestKind? KindFor(PortalAccessState state, AccessRequestProof proof) => state.Status switch
    {
        PortalStatus.AccessRevoked => state.LastRevocation?.Reason == RevocationReason.PreventingHarm ? AccessRequestKind.Review : AccessRequestKind.Restore,
        PortalStatus.InviteExpired or PortalStatus.VerificationLocked when proof != AccessRequestProof.Credentials => AccessRequestKind.Renewal,
        _ => null,
    };

    /// <summary>
    /// A review of a harm-based revocation is decided (re-invited or declined) by a provider other than the one who
    /// revoked and the clinician who made the determination; null when the actor may decide.
    /// </summary>
    public static Decision? ReviewRefusal(PortalAccessState state, Actor actor)
    {
        if (state.OpenAccessRequest is not { Kind: AccessRequestKind.Review })
        {
            return null;
        }

        if (actor.Role != "provider")
        {
            return Decision.Reject(RejectionKind.Forbidden, "A review request is decided by a provider.");
        }

        return NotDecidableBy(state).Contains(actor.Id)
            ? Decision.Reject(RejectionKind.Forbidden, "A review request must be decided by a different provider than the one who revoked access.")
            : null;
    }

    /// <summary>Who may not decide the open review request: whoever revoked and the clinician who made the determination.</summary>
    public static IReadOnlyList<string> NotDecidableBy(PortalAccessState state) =>
        state is { OpenAccessRequest.Kind: AccessRequestKind.Review, LastRevocation: { } revocation }
            ? [.. new[] { revocation.RevokedBy, revocation.Harm?.DecidingClinicianId }.OfType<string>().Distinct()]
            : [];

    /// <summary>The events an invitation adds when a request is open: it answers the request.</summary>
    public static IEnumerable<IPortalAccessEvent> AnsweredBy(PortalAccessState state, InvitationIssued issued)
    {
        if (state.OpenAccessRequest is { } open)
        {
            yield return new AccessRequestApproved(state.PracticeId, state.PatientId, open.RequestId, open.Kind, issued.InvitationId, issued.IssuedBy, issued.IssuedAt);
        }
    }
}
