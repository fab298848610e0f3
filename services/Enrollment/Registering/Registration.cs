using PortalPlatform.Enrollment.PortalAccess;
using PortalPlatform.Enrollment.Proxies;

namespace PortalPlatform.Enrollment.Registering;

/// <summary>Too many failed identity checks on the current invitation: locked until staff re-invite.</summary>
public sealed record VerificationLocked(
    Guid PracticeId, string PatientId, Guid InvitationId, int FailedAttempts, DateTimeOffset LockedAt) : IPortalAccessEvent;

/// <summary>The patient completed registration with the current invitation: enrolled.</summary>
public sealed record RegistrationCompleted(
    Guid PracticeId, string PatientId, Guid InvitationId, Guid AccountId, DateTimeOffset CompletedAt) : IPortalAccessEvent;

public sealed record LockVerification(Guid InvitationId, int FailedAttempts, DateTimeOffset Now)
    : PortalAccessCommand(Actor.IdentityVerification, Now)
{
    /// <summary>Only the pending invitation locks; a voided one's report changes nothing.</summary>
    public override Decision Decide(PortalAccessState state) =>
        state.PendingInvitation?.Id == InvitationId
            ? Decision.Of(new VerificationLocked(state.PracticeId, state.PatientId, InvitationId, FailedAttempts, Now))
            : Decision.Nothing;
}

public sealed record CompleteRegistration(Guid InvitationId, Guid AccountId, DateTimeOffset Now)
    : PortalAccessCommand(Actor.IdentityVerification, Now)
{
    /// <summary>The pending invitation enrols the patient; a pending proxy invitation grants the caregiver access.</summary>
    public override Decision Decide(PortalAccessState state)
    {
        if (state.PendingInvitation?.Id == InvitationId)
        {
            return Decision.Of(new RegistrationCompleted(state.PracticeId, state.PatientId, InvitationId, AccountId, Now));
        }

        var proxy = state.Proxies.Values.FirstOrDefault(p => p.InvitationId == InvitationId && p.Status == ProxyStatus.Invited);
        return proxy is null
            ? Decision.Nothing
            : Decision.Of(new ProxyAccessGranted(state.PracticeId, state.PatientId, proxy.Id, InvitationId, proxy.Relationship, proxy.InvitedBy, Now));
    }
}
