using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.PortalAccess;

namespace PortalPlatform.Enrollment.Delivering;

/// <summary>The mail server or SMS provider accepted the invitation on one channel.</summary>
public sealed record InvitationDelivered(
    Guid PracticeId, string PatientId, Guid InvitationId, Guid DeliveryId, DeliveryChannel Channel,
    DateTimeOffset DeliveredAt) : IPortalAccessEvent;

/// <summary>The invitation could not be delivered on one channel.</summary>
public sealed record InvitationDeliveryFailed(
    Guid PracticeId, string PatientId, Guid InvitationId, Guid DeliveryId, DeliveryChannel Channel,
    string Reason, bool Permanent, DateTimeOffset FailedAt) : IPortalAccessEvent;

public sealed record RecordDelivery(
    Guid InvitationId, Guid DeliveryId, DeliveryChannel Channel, bool Delivered, string? FailureReason, bool Permanent, DateTimeOffset Now)
    : PortalAccessCommand(Actor.Notification, Now)
{
    /// <summary>A voided invitation's delivery report changes nothing.</summary>
    public override Decision Decide(PortalAccessState state)
    {
        if (state.PendingInvitation?.Id != InvitationId)
        {
            return Decision.Nothing;
        }

        return Delivered
            ? Decision.Of(new InvitationDelivered(state.PracticeId, state.PatientId, InvitationId, DeliveryId, Channel, Now))
            : Decision.Of(new InvitationDeliveryFailed(state.PracticeId, state.PatientId, InvitationId, DeliveryId, Channel, FailureReason ?? "unknown", Permanent, Now));
    }
}
