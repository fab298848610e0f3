using JasperFx.Events;
using PortalPlatform.Contracts;
using PortalPlatform.ServiceDefaults.EventStore;

namespace PortalPlatform.Notification.Deliveries;

/// <summary>What Enrollment hears about invitation deliveries; one-time codes stay private to the service.</summary>
public sealed class DeliveryEventMap : IIntegrationEventMap
{
    public IEnumerable<object> Map(IEvent stored) => stored.Data switch
    {
        DeliverySent { Target.InvitationId: { } invitationId } sent => [new InviteDelivered(
            stored.IdFor<InviteDelivered>(), sent.Target.PracticeId, sent.Target.PatientId, sent.SentAt,
            invitationId, stored.StreamId, sent.Target.Channel)],
        DeliveryFailed { Target.InvitationId: { } invitationId } failed => [new InviteDeliveryFailed(
            stored.IdFor<InviteDeliveryFailed>(), failed.Target.PracticeId, failed.Target.PatientId, failed.FailedAt,
            invitationId, stored.StreamId, failed.Target.Channel, failed.Reason, failed.Permanent)],
        DeliveryBounced { Target.InvitationId: { } invitationId } bounced => [new InviteDeliveryFailed(
            stored.IdFor<InviteDeliveryFailed>(), bounced.Target.PracticeId, bounced.Target.PatientId, bounced.BouncedAt,
            invitationId, stored.StreamId, bounced.Target.Channel, bounced.Reason, Permanent: true)],
        _ => [],
    };
}
