using Marten;
using MassTransit;
using PortalPlatform.Contracts;
using PortalPlatform.Notification.Deliveries;
using PortalPlatform.Notification.Templates;
using PortalPlatform.ServiceDefaults.Dispatch;
using PortalPlatform.ServiceDefaults.EventStore;

namespace PortalPlatform.Notification.Invitations;

/// <summary>
/// Queues the invitation's email and text (each its own delivery) and commits them with the inbox row before the
/// command is acknowledged; the dispatcher sends them. A redelivered command finds its inbox row and does nothing.
/// </summary>
public sealed class DeliverInvitationConsumer(
    IDocumentSession session, TimeProvider clock, DispatcherWakeUp wakeUp, ILogger<DeliverInvitationConsumer> logger)
    : IConsumer<DeliverInvitation>
{
    private const string InboxName = "deliver-invitation";

    public async Task Consume(ConsumeContext<DeliverInvitation> context)
    {
        var command = context.Message;
        if (await session.AlreadyProcessedAsync(InboxName, command.CommandId, context.CancellationToken))
        {
            return;
        }

        var now = clock.GetUtcNow();
        var kind = MessageTemplates.KindOf(command.Template);
        var queued = 0;
        if (!string.IsNullOrWhiteSpace(command.Email))
        {
            var content = MessageTemplates.InvitationEmail(command);
            session.Queue(command.CommandId, new QueuedMessage(
                new DeliveryTarget(command.PracticeId, command.PatientId, command.InvitationId, kind, DeliveryChannel.Email),
                command.Email.Trim(), AddressMask.Email(command.Email.Trim()), content.Subject, content.Text, content.Html), now);
            queued++;
        }

        if (!string.IsNullOrWhiteSpace(command.Phone))
        {
            session.Queue(command.CommandId, new QueuedMessage(
                new DeliveryTarget(command.PracticeId, command.PatientId, command.InvitationId, kind, DeliveryChannel.Sms),
                command.Phone.Trim(), AddressMask.Phone(command.Phone), "", MessageTemplates.InvitationText(command), null), now);
            queued++;
        }

        if (queued == 0)
        {
            logger.LogWarning("Invitation {InvitationId} has neither email nor phone; nothing to deliver", command.InvitationId);
        }

        await session.CommitQueuedAsync(InboxName, command.CommandId, clock, wakeUp, context.CancellationToken);
    }
}

public sealed class DeliverInvitationConsumerDefinition : ConsumerDefinition<DeliverInvitationConsumer>
{
    public DeliverInvitationConsumerDefinition() => EndpointName = CommandQueues.DeliverInvitation;
}
