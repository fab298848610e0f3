using Marten;
using MassTransit;
using PortalPlatform.Contracts;
using PortalPlatform.Notification.Deliveries;
using PortalPlatform.Notification.Templates;
using PortalPlatform.ServiceDefaults.Dispatch;
using PortalPlatform.ServiceDefaults.Messaging;

namespace PortalPlatform.Notification.OneTimeCodes;

/// <summary>Queues the one-time code's text message, once per command; the code is kept only until it is sent or expires.</summary>
public sealed class DeliverOneTimeCodeConsumer(IDocumentSession session, CommandSecrets secrets, TimeProvider clock, DispatcherWakeUp wakeUp)
    : IConsumer<DeliverOneTimeCode>
{
    private const string InboxName = "deliver-one-time-code";

    public Task Consume(ConsumeContext<DeliverOneTimeCode> context)
    {
        var command = context.Message;
        return session.QueueOnceAsync(InboxName, command.CommandId, now =>
        [
            new QueuedMessage(
                new DeliveryTarget(command.PracticeId, command.PatientId, null, MessageKind.OneTimeCode, DeliveryChannel.Sms),
                command.Phone.Trim(), AddressMask.Phone(command.Phone), "", MessageTemplates.OneTimeCodeText(command, secrets.Open(command.SealedCode, command.CommandId), now), null, command.ExpiresAt),
        ], clock, wakeUp, context.CancellationToken);
    }
}

public sealed class DeliverOneTimeCodeConsumerDefinition : ConsumerDefinition<DeliverOneTimeCodeConsumer>
{
    public DeliverOneTimeCodeConsumerDefinition() => EndpointName = CommandQueues.DeliverOneTimeCode;
}
