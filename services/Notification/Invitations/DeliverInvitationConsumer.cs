using Marten;
using MassTransit;
using PortalPlatform.Contracts;
using PortalPlatform.Notification.Deliveries;
using PortalPlatform.Notification.Templates;
using PortalPlatform.ServiceDefaults.Dispatch;
using PortalPlatform.ServiceDefaults.Messaging;

namespace PortalPlatform.Notification.Invitations;

/// <summary>
/// Queues the invitation's email and text (each its own delivery) and commits them with the inbox row before the
/// command is acknowledged; the dispatcher sends them. A redelivered command finds its inbox row and does nothing.
/// </summary>
public sealed class DeliverInvitationConsumer(
    IDocumentSession session, CommandSecrets secrets, TimeProvider clock, DispatcherWakeUp wakeUp, ILogger<DeliverInvitationConsumer> logger)
    : IConsumer<DeliverInvitation>
{
    private const string InboxName = "deliver-invitation";

    public Task Consume(ConsumeContext<DeliverInvitation> context)
    {
        var command = context.Message;
        return session.QueueOnceAsync(InboxName, command.CommandId, _ => Render(command), clock, wakeUp, context.CancellationToken);
    }

    private List<QueuedMessage> Render(DeliverInvitation command)
    {
        var kind = MessageTemplates.KindOf(command.Template);
        var link = secrets.Open(command.SealedRegistrationLink, command.CommandId);
        var messages = new List<QueuedMessage>();
        if (!string.IsNullOrWhiteSpace(command.Email))
        {
            var content = MessageTemplates.InvitationEmail(command, link);
            messages.Add(new QueuedMessage(
                new DeliveryTarget(command.PracticeId, command.PatientId, command.InvitationId, kind, DeliveryChannel.Email),
                command.Email.Trim(), AddressMask.Email(command.Email.Trim()), content.Subject, content.Text, content.Html, command.ExpiresAt));
        }

        if (!string.IsNullOrWhiteSpace(command.Phone))
        {
            messages.Add(new QueuedMessage(
                new DeliveryTarget(command.PracticeId, command.PatientId, command.InvitationId, kind, DeliveryChannel.Sms),
                command.Phone.Trim(), AddressMask.Phone(command.Phone), "", MessageTemplates.InvitationText(command, link), null, command.ExpiresAt));
        }

        if (messages.Count == 0)
        {
            logger.LogWarning("Invitation {InvitationId} has neither email nor phone; nothing to deliver", command.InvitationId);
        }

        return messages;
    }
}

public sealed class DeliverInvitationConsumerDefinition : ConsumerDefinition<DeliverInvitationConsumer>
{
    public DeliverInvitationConsumerDefinition()
    {
        EndpointName = CommandQueues.DeliverInvitation;

        // A practice inviting its list sends hundreds at once; each command waits mostly on two PostgreSQL round
        // trips, so more of them at once keep the dispatcher fed (MassTransit's default is twice the core count).
        ConcurrentMessageLimit = 16;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<DeliverInvitationConsumer> consumerConfigurator, IRegistrationContext context)
        => endpointConfigurator.PrefetchCount = 32;
}
