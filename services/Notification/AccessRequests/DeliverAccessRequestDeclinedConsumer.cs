using System.Net;
using Marten;
using MassTransit;
using PortalPlatform.Contracts;
using PortalPlatform.Notification.Deliveries;
using PortalPlatform.Notification.Templates;
using PortalPlatform.ServiceDefaults.Dispatch;

namespace PortalPlatform.Notification.AccessRequests;

/// <summary>
/// Tells the patient the practice declined their request: by email, or by text when no email is on file. It says
/// no more than the request revealed (no staff reason, nothing clinical).
/// </summary>
public sealed class DeliverAccessRequestDeclinedConsumer(IDocumentSession session, TimeProvider clock, DispatcherWakeUp wakeUp)
    : IConsumer<DeliverAccessRequestDeclined>
{
    private const string InboxName = "deliver-access-request-declined";

    public Task Consume(ConsumeContext<DeliverAccessRequestDeclined> context)
    {
        var command = context.Message;
        return session.QueueOnceAsync(InboxName, command.CommandId, _ => Render(command), clock, wakeUp, context.CancellationToken);
    }

    private static IEnumerable<QueuedMessage> Render(DeliverAccessRequestDeclined command)
    {
        if (!string.IsNullOrWhiteSpace(command.Email))
        {
            var content = AccessRequestDeclinedMessage.Render(command);
            yield return new QueuedMessage(
                new DeliveryTarget(command.PracticeId, command.PatientId, null, MessageKind.AccessRequestDeclined, DeliveryChannel.Email),
                command.Email.Trim(), AddressMask.Email(command.Email.Trim()), content.Subject, content.Text, content.Html);
        }
        else if (!string.IsNullOrWhiteSpace(command.Phone))
        {
            yield return new QueuedMessage(
                new DeliveryTarget(command.PracticeId, command.PatientId, null, MessageKind.AccessRequestDeclined, DeliveryChannel.Sms),
                command.Phone.Trim(), AddressMask.Phone(command.Phone), "", AccessRequestDeclinedMessage.Sms(command), null);
        }
    }
}

public sealed class DeliverAccessRequestDeclinedConsumerDefinition : ConsumerDefinition<DeliverAccessRequestDeclinedConsumer>
{
    public DeliverAccessRequestDeclinedConsumerDefinition() => EndpointName = CommandQueues.DeliverAccessRequestDeclined;
}

/// <summary>The wording: first name and practice only.</summary>
public static class AccessRequestDeclinedMessage
{
    public static EmailContent Render(DeliverAccessRequestDeclined command)
    {
        var subject = $"{command.PracticeName}: your patient portal request";
        string[] paragraphs =
        [
            command.Kind == AccessRequestKind.Review
                ? $"{command.PracticeName} has reviewed your request about access to the patient portal and cannot restore access at this time."
                : $"{command.PracticeName} has looked at your request about access to the patient portal and cannot restore access at this time.",
            $"If you have questions, please contact {command.PracticeName}.",
        ];
        var text = string.Join("\n\n", [$"Hello {command.FirstName},", .. paragraphs]) + "\n";
        var html = $"""
            <!DOCTYPE html>
            <html><body style="font-family: sans-serif; line-height: 1.5">
            <p>Hello {WebUtility.HtmlEncode(command.FirstName)},</p>
            {string.Concat(paragraphs.Select(p => $"<p>{WebUtility.HtmlEncode(p)}</p>\n"))}</body></html>
            """;
        return new EmailContent(subject, text, html);
    }

    public static string Sms(DeliverAccessRequestDeclined command) =>
        $"{command.PracticeName}: we cannot restore your patient portal access at this time. Please contact us with any questions.";
}
