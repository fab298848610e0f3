using Marten;
using MassTransit;
using PortalPlatform.Contracts;
using PortalPlatform.Notification.Deliveries;
using PortalPlatform.Notification.Templates;
using PortalPlatform.ServiceDefaults.Dispatch;
using PortalPlatform.ServiceDefaults.EventStore;

namespace PortalPlatform.Notification.OneTimeCodes;

/// <summary>Queues the one-time code's text message, once per command; the code is kept only until it is sent.</summary>
public sealed class DeliverOneTimeCodeConsumer(IDocumentSession session, TimeProvider clock, DispatcherWakeUp wakeUp)
    : IConsumer<DeliverOneTimeCode>
{
    private const string InboxName = "deliver-one-time-code";

    public async Task Consume(ConsumeContext<DeliverOneTimeCode> context)
    {
        var command = context.Message;
        if (await session.AlreadyProcessedAsync(InboxName, command.CommandId, context.CancellationToken))
        {
            return;
        }

        var now = clock.GetUtcNow();
        session.Queue(command.CommandId, new QueuedMessage(
            new DeliveryTarget(command.PracticeId, command.PatientId, null, MessageKind.OneTimeCode, DeliveryChannel.Sms),
            command.Phone.Trim(), AddressMask.Phone(command.Phone), "", MessageTemplates.OneTimeCodeText(command, now), null), now);
        await session.CommitQueuedAsync(InboxName, command.CommandId, clock, wakeUp, context.CancellationToken);
    }
}

public sealed class DeliverOneTimeCodeConsumerDefinition : ConsumerDefinition<DeliverOneTimeCodeConsumer>
{
    public DeliverOneTimeCodeConsumerDefinition() => EndpointName = CommandQueues.DeliverOneTimeCode;
}
