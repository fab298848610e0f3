using JasperFx.Events;
using MassTransit;
using PortalPlatform.Contracts;
using PortalPlatform.ServiceDefaults.Messaging;

namespace PortalPlatform.ServiceDefaults.EventStore;

/// <summary>One message the outbox sends for a stored event: its id and, for a command, its owner's queue.</summary>
internal sealed record OutgoingMessage(object Message, Guid MessageId, Uri? CommandQueue)
{
    /// <summary>
    /// What the map says to send for <paramref name="stored"/>, checked as far as it can be without the broker.
    /// Throws when the event can never be relayed as it is (the map fails, a message has no id or no route).
    /// </summary>
    public static IReadOnlyList<OutgoingMessage> From(IIntegrationEventMap map, IEvent stored) =>
        [.. map.Map(stored).Select(message => new OutgoingMessage(
            message,
            StoredEventIds.MessageIdOf(message),
            message is IPortalCommand ? CommandRouting.AddressOf(message.GetType()) : null))];

    public async Task SendAsync(IBus bus, CancellationToken cancellationToken)
    {
        if (CommandQueue is not null)
        {
            var endpoint = await bus.GetSendEndpoint(CommandQueue);
            await endpoint.Send(Message, Message.GetType(), Pipe.Execute<SendContext>(context => context.MessageId = MessageId), cancellationToken);
            return;
        }

        await bus.Publish(Message, Message.GetType(), Pipe.Execute<PublishContext>(context => context.MessageId = MessageId), cancellationToken);
    }
}
