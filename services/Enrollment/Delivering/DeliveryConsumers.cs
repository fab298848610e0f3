using MassTransit;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Messaging;

namespace PortalPlatform.Enrollment.Delivering;

/// <summary>Notification delivered the invitation on one channel: shown beside "Invitation sent".</summary>
public sealed class InviteDeliveredConsumer(PortalAccessInbox inbox) : IConsumer<InviteDelivered>
{
    public Task Consume(ConsumeContext<InviteDelivered> context)
    {
        var m = context.Message;
        return inbox.ApplyAsync(nameof(InviteDeliveredConsumer), m,
            _ => new RecordDelivery(m.InvitationId, m.DeliveryId, m.Channel, Delivered: true, null, false, m.OccurredAt), context.CancellationToken);
    }
}

/// <summary>Notification could not deliver the invitation on one channel.</summary>
public sealed class InviteDeliveryFailedConsumer(PortalAccessInbox inbox) : IConsumer<InviteDeliveryFailed>
{
    public Task Consume(ConsumeContext<InviteDeliveryFailed> context)
    {
        var m = context.Message;
        return inbox.ApplyAsync(nameof(InviteDeliveryFailedConsumer), m,
            _ => new RecordDelivery(m.InvitationId, m.DeliveryId, m.Channel, Delivered: false, m.Reason, m.Permanent, m.OccurredAt), context.CancellationToken);
    }
}
