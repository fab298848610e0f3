using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.PortalAccess;
using PortalPlatform.Enrollment.Settings;

namespace PortalPlatform.Enrollment.AccessRequests;

/// <summary>The rules of the way back, as pure functions like <see cref="PortalAccessDecisions"/>.</summary>
public static class AccessRequestDecisions
{
    /// <summary>
    /// Records the request when the patient's status leaves them locked out; a second one while one is open, or one
    /// that does not fit the status (enrolled, invited, unknown), changes nothing: the patient is told the same anyway.
    /// </summary>
    public static Decision Record(PortalAccessState state, RecordAccessRequest c)
    {
        if (state.Demographics is not { } demographics || state.OpenAccessRequest is not null || KindFor(state, c.Proof) is not { } kind)
        {
            return Decision.Nothing;
        }

        var revokedBy = kind == AccessRequestKind.Review ? state.LastRevocation!.RevokedBy : null;
        var requested = new AccessRequested(state.PracticeId, state.PatientId, c.RequestId, kind, c.Proof, c.InvitationId, revokedBy, c.Now);
        if (c.Proof != AccessRequestProof.ExpiredInvitation || state.Status != PortalStatus.InviteExpired
            || !c.Settings.AutoRenewExpiredInvitations || demographics is { Email: null, Phone: null })
        {
            return Decision.Of(requested);
        }

        var issued = PortalAccessDecisions.Issue(
            state, c.RenewalInvitationId, demographics.Email, demographics.Phone, c.Settings, AccessRequestActors.AutoRenewal, c.Now);
        return Decision.Of(requested, issued,
            new AccessRequestApproved(state.PracticeId, state.PatientId, c.RequestId, kind, issued.InvitationId, AccessRequestActors.AutoRenewal.Id, c.Now));
    }

    private static AccessRequestKind? KindFor(PortalAccessState state, AccessRequestProof proof) => state.Status switch
    {
        PortalStatus.AccessRevoked => state.LastRevocation?.Reason == RevocationReason.PreventingHarm ? AccessRequestKind.Review : AccessRequestKind.Restore,
        PortalStatus.InviteExpired or PortalStatus.VerificationLocked when proof != AccessRequestProof.Credentials => AccessRequestKind.Renewal,
        _ => null,
    };

    public static Decision Decline(PortalAccessState state, DeclineAccessRequest c)
    {
        if (state.OpenAccessRequest is not { } open || open.RequestId != c.RequestId)
        {
            return Decision.Reject(RejectionKind.NotFound, "No such open access request.");
        }

        if (string.IsNullOrWhiteSpace(c.Reason))
        {
            return Decision.Reject(RejectionKind.Invalid, "Declining a request needs a reason.", "reason");
        }

        if (c.Settings.WhoCanInvite == WhoCanInvite.AdminsOnly && !c.Actor.IsAdmin && open.Kind != AccessRequestKind.Review)
        {
            return Decision.Reject(RejectionKind.Forbidden, "This practice lets only admins answer access requests.");
        }

        if (ReviewRefusal(state, c.Actor) is { } refusal)
        {
            return refusal;
        }

        var demographics = state.Demographics!;
        return Decision.Of(new AccessRequestDeclined(
            state.PracticeId, state.PatientId, open.RequestId, open.Kind, c.Reason.Trim(), c.Actor.Id, c.Actor.Role, c.Now,
            c.Settings.PracticeName, demographics.FirstName, demographics.Email, demographics.Phone));
    }

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

        var revocation = state.LastRevocation;
        return actor.Id == revocation?.RevokedBy || actor.Id == revocation?.Harm?.DecidingClinicianId
            ? Decision.Reject(RejectionKind.Forbidden, "A review request must be decided by a different provider than the one who revoked access.")
            : null;
    }

    /// <summary>The events an invitation adds when a request is open: it answers the request.</summary>
    public static IEnumerable<IPortalAccessEvent> AnsweredBy(PortalAccessState state, InvitationIssued issued)
    {
        if (state.OpenAccessRequest is { } open)
        {
            yield return new AccessRequestApproved(state.PracticeId, state.PatientId, open.RequestId, open.Kind, issued.InvitationId, issued.IssuedBy, issued.IssuedAt);
        }
    }
}
