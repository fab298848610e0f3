using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Inviting;
using PortalPlatform.Enrollment.PortalAccess;
using PortalPlatform.Enrollment.Settings;

namespace PortalPlatform.Enrollment.AccessRequests;

/// <summary>Identity-Verification verified the patient's proof; record the request (or, per the practice setting, renew the invitation).</summary>
/// <param name="RenewalInvitationId">The invitation an automatic renewal issues (derived from the command, so a redelivery decides the same).</param>
public sealed record RecordAccessRequest(
    Guid RequestId, AccessRequestProof Proof, Guid? InvitationId, Guid RenewalInvitationId, PracticePortalSettings Settings, DateTimeOffset Now)
    : PortalAccessCommand(Actor.IdentityVerification, Now)
{
    /// <summary>
    /// Records the request when the patient's status leaves them locked out; a second one while one is open, or one
    /// that does not fit the status (enrolled, invited, unknown), changes nothing: the patient is told the same anyway.
    /// </summary>
    public override Decision Decide(PortalAccessState state)
    {
        if (state.Demographics is not { } demographics || state.OpenAccessRequest is not null || AccessRequestDecisions.KindFor(state, Proof) is not { } kind)
        {
            return Decision.Nothing;
        }

        var revokedBy = kind == AccessRequestKind.Review ? state.LastRevocation!.RevokedBy : null;
        var requested = new AccessRequested(state.PracticeId, state.PatientId, RequestId, kind, Proof, InvitationId, revokedBy, Now);
        if (Proof != AccessRequestProof.ExpiredInvitation || state.Status != PortalStatus.InviteExpired
            || !Settings.AutoRenewExpiredInvitations || demographics is { Email: null, Phone: null })
        {
            return Decision.Of(requested);
        }

        var issued = InvitationIssued.For(
            state, RenewalInvitationId, demographics.Email, demographics.Phone, Settings, AccessRequestActors.AutoRenewal, Now);
        return Decision.Of(requested, issued,
            new AccessRequestApproved(state.PracticeId, state.PatientId, RequestId, kind, issued.InvitationId, AccessRequestActors.AutoRenewal.Id, Now));
    }
}

public sealed record DeclineAccessRequest(Guid RequestId, string Reason, PracticePortalSettings Settings, Actor Actor, DateTimeOffset Now)
    : PortalAccessCommand(Actor, Now)
{
    public override Decision Decide(PortalAccessState state)
    {
        if (state.OpenAccessRequest is not { } open || open.RequestId != RequestId)
        {
            return Decision.Reject(RejectionKind.NotFound, "No such open access request.");
        }

        if (string.IsNullOrWhiteSpace(Reason))
        {
            return Decision.Reject(RejectionKind.Invalid, "Declining a request needs a reason.", "reason");
        }

        if (Settings.WhoCanInvite == WhoCanInvite.AdminsOnly && !Actor.IsAdmin && open.Kind != AccessRequestKind.Review)
        {
            return Decision.Reject(RejectionKind.Forbidden, "This practice lets only admins answer access requests.");
        }

        if (AccessRequestDecisions.ReviewRefusal(state, Actor) is { } refusal)
        {
            return refusal;
        }

        var demographics = state.Demographics!;
        return Decision.Of(new AccessRequestDeclined(
            state.PracticeId, state.PatientId, open.RequestId, open.Kind, Reason.Trim(), Actor.Id, Actor.Role, Now,
            Settings.PracticeName, demographics.FirstName, demographics.Email, demographics.Phone));
    }
}

public static class AccessRequestActors
{
    /// <summary>The practice's automatic renewal of expired invitations.</summary>
    public static readonly Actor AutoRenewal = new("auto-renewal", Actor.SystemRole);
}
