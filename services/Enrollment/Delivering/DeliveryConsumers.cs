using Marten;
using MassTransit;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Messaging;
using PortalPlatform.Enrollment.PortalAccess;

namespace PortalPlatform.Enrollment.Delivering;

/// <summary>Keeps a receipt about the patient's pending invitation on the receipts stream (never the access stream), once.</summary>
public sealed class DeliveryReceiptRecorder(PortalAccessInbox inbox)
{
    public Task RecordAsync(string consumer, IIntegrationEvent message, RecordDelivery command, CancellationToken cancellationToken) =>
        inbox.ApplyAsync(consumer, message, async session =>
        {
            var accessStreamId = PortalAccessStream.IdOf(message.PracticeId, message.PatientId);
            var state = await session.LoadAsync<PortalAccessState>(accessStreamId, cancellationToken);
            if (state is not null && command.Decide(state) is { } receipt)
            {
                session.Events.Append(DeliveryReceipts.StreamIdOf(accessStreamId), receipt);
            }
        }, cancellationToken);
}

/// <summary>Notification delivered the invitation on one channel: shown beside "Invitation sent".</summary>
public sealed class InviteDeliveredConsumer(DeliveryReceiptRecorder receipts) : IConsumer<InviteDelivered>
{
    public Task Consume(ConsumeContext<InviteDelivered> context)
    {
        var m = context.Message;
        return receipts.RecordAsync(nameof(InviteDeliveredConsumer), m,
            new RecordDelivery(m.InvitationId, m.DeliveryId, m.Channel, Delivered: true, null, false, m.OccurredAt), context.CancellationToken);
    }
}

/// <summary>Notification could not deliver the invitation on one channel.</summary>
public sealed class InviteDeliveryFailedConsumer(DeliveryReceiptRecorder receipts) : IConsumer<InviteDeliveryFailed>
{
    public Task Consume(ConsumeContext<InviteDeliveryFailed> context)
    {
        var m = context.Message;
        return receipts.RecordAsync(nameof(InviteDeliveryFailedConsumer), m,
            new RecordDelivery(m.InvitationId, m.DeliveryId, m.Channel, Delivered: false, m.Reason, m.Permanent, m.OccurredAt), context.CancellationToken);
    }
}
