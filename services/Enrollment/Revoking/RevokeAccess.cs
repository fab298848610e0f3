using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.PortalAccess;
using ProxyAccessRevoked = PortalPlatform.Enrollment.Proxies.ProxyAccessRevoked;

namespace PortalPlatform.Enrollment.Revoking;

/// <summary>Staff revoked portal access. The note is for the practice only and never leaves the service; Harm is set for PreventingHarm.</summary>
public sealed record AccessRevoked(
    Guid PracticeId, string PatientId, RevocationReason Reason, string? Note, string RevokedBy, string RevokedByRole,
    DateTimeOffset RevokedAt, PortalStatus PreviousStatus, Guid? VoidedInvitationId, HarmDetermination? Harm = null) : IPortalAccessEvent;

/// <param name="Harm">Required for PreventingHarm, refused otherwise.</param>
public sealed record RevokeAccess(RevocationReason Reason, string? Note, Actor Actor, DateTimeOffset Now, HarmDetermination? Harm = null)
    : PortalAccessCommand(Actor, Now)
{
    /// <summary>Admins and providers, with one of the listed reasons; a pending invitation is voided and every caregiver's proxy access ends too.</summary>
    public override Decision Decide(PortalAccessState state)
    {
        if (state.IsNew)
        {
            return Decision.Reject(RejectionKind.NotFound, "No such patient.");
        }

        if (!Actor.MayRevoke)
        {
            return Decision.Reject(RejectionKind.Forbidden, "Only admins and providers may revoke portal access.");
        }

        if (!Enum.IsDefined(Reason))
        {
            return Decision.Reject(RejectionKind.Invalid, "Revoking needs one of the listed reasons.", "reason");
        }

        if ((Reason == RevocationReason.PreventingHarm) != (Harm is not null))
        {
            return Decision.Reject(RejectionKind.Invalid, Harm is null
                ? "A PreventingHarm revocation needs the deciding clinician, the basis and the scope."
                : "The deciding clinician, basis and scope belong to a PreventingHarm revocation only.", "decidingClinicianId");
        }

        if (state.Status is PortalStatus.NotInvited or PortalStatus.AccessRevoked)
        {
            return Decision.Reject(RejectionKind.Conflict, state.Status == PortalStatus.AccessRevoked
                ? "Access is already revoked."
                : "The patient has no portal access to revoke.");
        }

        // Caregivers act for the patient: their proxy access (or pending invitation) ends with the patient's, each in the history.
        IPortalAccessEvent[] caregivers = [.. state.Proxies.Values.Where(p => p.Status != ProxyStatus.Revoked).OrderBy(p => p.Id)
            .Select(p => ProxyAccessRevoked.Of(state, p, Actor.Id, Now))];
        return Decision.Of([new AccessRevoked(
            state.PracticeId, state.PatientId, Reason, Note, Actor.Id, Actor.Role, Now, state.Status, state.PendingInvitation?.Id, Harm), .. caregivers]);
    }
}
