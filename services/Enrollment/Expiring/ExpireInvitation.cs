using PortalPlatform.Enrollment.PortalAccess;

namespace PortalPlatform.Enrollment.Expiring;

/// <summary>The invitation's lifetime passed unused.</summary>
public sealed record InvitationExpired(
    Guid PracticeId, string PatientId, Guid InvitationId, DateTimeOffset ExpiredAt) : IPortalAccessEvent;

public sealed record ExpireInvitation(Guid InvitationId, DateTimeOffset Now) : PortalAccessCommand(Actor.ExpiryJob, Now)
{
    /// <summary>Only the still-pending invitation, and only once its time has come.</summary>
    public override Decision Decide(PortalAccessState state) =>
        state.PendingInvitation is { } pending && pending.Id == InvitationId && Now >= pending.ExpiresAt
            ? Decision.Of(new InvitationExpired(state.PracticeId, state.PatientId, pending.Id, Now))
            : Decision.Nothing;
}
