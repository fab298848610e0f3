using Marten;
using MassTransit;
using PortalPlatform.Contracts;
using PortalPlatform.ServiceDefaults.Dispatch;
using PortalPlatform.ServiceDefaults.EventStore;
using PortalPlatform.Webhooks.Catalogue;
using PortalPlatform.Webhooks.Deliveries;
using PortalPlatform.Webhooks.Subscriptions;

namespace PortalPlatform.Webhooks.Inbound;

/// <summary>
/// Fans one integration event out to its practice's matching, enabled subscriptions: one delivery each, committed
/// with the event's body and its inbox row before the message is acknowledged. A redelivery finds the inbox row.
/// </summary>
public sealed class IntegrationEventConsumer<TEvent>(IDocumentSession session, TimeProvider clock, DispatcherWakeUp wakeUp)
    : IConsumer<TEvent>
    where TEvent : class, IIntegrationEvent
{
    private const string InboxName = "webhooks-fan-out";

    public async Task Consume(ConsumeContext<TEvent> context)
    {
        var integrationEvent = context.Message;
        if (await session.AlreadyProcessedAsync(InboxName, integrationEvent.EventId, context.CancellationToken))
        {
            return;
        }

        var now = clock.GetUtcNow();
        var cloudEvent = CloudEventMapper.ToCloudEvent(integrationEvent);
        var received = new ReceivedEvent(
            integrationEvent.EventId, integrationEvent.PracticeId, integrationEvent.PatientId, cloudEvent.Type!,
            integrationEvent.OccurredAt, now, CloudEventMapper.ToJson(cloudEvent));
        var subscriptions = await session.Query<Subscription>()
            .Where(s => s.PracticeId == integrationEvent.PracticeId && s.Enabled)
            .ToListAsync(context.CancellationToken);

        // Kept even without a subscriber today: a subscription made later can replay it.
        session.Insert(received);
        foreach (var subscription in subscriptions.Where(s => s.Wants(received.Type)))
        {
            var behindAnother = await session.HasQueuedAsync(subscription.Id, received.PatientId, context.CancellationToken);
            session.Insert(WebhookDelivery.For(subscription.Id, received, behindAnother));
        }

        if (await session.SaveChangesOnceAsync(InboxName, integrationEvent.EventId, clock, context.CancellationToken))
        {
            wakeUp.Signal();
        }
    }
}
