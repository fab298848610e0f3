using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.PortalAccess;

namespace PortalPlatform.Enrollment.Cancelling;

/// <summary>Staff cancelled the pending invitation; the status goes back to what it was before the invitation.</summary>
public sealed record InvitationCancelled(
    Guid PracticeId, string PatientId, Guid InvitationId, string CancelledBy, DateTimeOffset CancelledAt,
    PortalStatus RestoredStatus) : IPortalAccessEvent;

public sealed record CancelInvitation(Guid InvitationId, Actor Actor, DateTimeOffset Now) : PortalAccessCommand(Actor, Now)
{
    /// <summary>Only the pending invitation can be cancelled.</summary>
    public override Decision Decide(PortalAccessState state)
    {
        if (state.IsNew || state.Invitation?.Id != InvitationId)
        {
            return Decision.Reject(RejectionKind.NotFound, "No such invitation.");
        }

        if (state.Status != PortalStatus.Invited)
        {
            return Decision.Reject(RejectionKind.Conflict, "Only a pending invitation can be cancelled.");
        }

        return Decision.Of(new InvitationCancelled(state.PracticeId, state.PatientId, InvitationId, Actor.Id, Now, state.StatusBeforeInvitation));
    }
}
