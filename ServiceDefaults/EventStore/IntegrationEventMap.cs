using JasperFx.Events;
using PortalPlatform.Contracts;

namespace PortalPlatform.ServiceDefaults.EventStore;

/// <summary>
/// A service's translation of its stored domain events into what leaves the service: integration events (published)
/// and commands (sent to their owner's queue). Build ids with <see cref="StoredEventIds.IdFor{TMessage}"/> so a
/// re-published message keeps its id.
/// </summary>
public interface IIntegrationEventMap
{
    IEnumerable<object> Map(IEvent stored);
}

public static class StoredEventIds
{
    /// <summary>The id of the <typeparamref name="TMessage"/> derived from this stored event: the same on every re-publish.</summary>
    public static Guid IdFor<TMessage>(this IEvent stored) => DeterministicGuid.Create(stored.Id, typeof(TMessage).FullName!);

    /// <summary>Message id of an outgoing integration event or command.</summary>
    internal static Guid MessageIdOf(object message) => message switch
    {
        IIntegrationEvent integrationEvent => integrationEvent.EventId,
        IPortalCommand command => command.CommandId,
        _ => throw new InvalidOperationException($"{message.GetType().Name} is neither an integration event nor a command."),
    };
}
