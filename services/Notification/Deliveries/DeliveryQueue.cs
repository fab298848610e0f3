using Marten;
using PortalPlatform.Contracts;
using PortalPlatform.ServiceDefaults;
using PortalPlatform.ServiceDefaults.Dispatch;
using PortalPlatform.ServiceDefaults.EventStore;

namespace PortalPlatform.Notification.Deliveries;

/// <summary>A message to queue on one channel.</summary>
public sealed record QueuedMessage(DeliveryTarget Target, string Address, string MaskedAddress, string Subject, string Text, string? Html);

public static class DeliveryQueue
{
    /// <summary>The delivery of a command on a channel has this id, whoever computes it and however often.</summary>
    public static Guid DeliveryIdOf(Guid commandId, DeliveryChannel channel) => DeterministicGuid.Create(commandId, "delivery:" + channel);

    /// <summary>Adds the delivery (its Queued event and its rendered content) to the session; committed by the caller.</summary>
    public static void Queue(this IDocumentSession session, Guid commandId, QueuedMessage message, DateTimeOffset now)
    {
        var id = DeliveryIdOf(commandId, message.Target.Channel);
        session.Events.StartStream<Delivery>(id, new DeliveryQueued(id, commandId, message.Target, message.MaskedAddress, now));
        session.Store(new OutboundMessage(id, message.Target.Channel, message.Address, message.Subject, message.Text, message.Html));
    }

    /// <summary>
    /// Commits the queued deliveries with the command's inbox row, then wakes the dispatcher. A concurrent delivery
    /// of the same command that queued them first (same delivery ids, so the stream already exists) is not an error.
    /// </summary>
    public static async Task CommitQueuedAsync(
        this IDocumentSession session, string inbox, Guid commandId, TimeProvider clock, DispatcherWakeUp wakeUp, CancellationToken cancellationToken)
    {
        try
        {
            if (await session.SaveChangesOnceAsync(inbox, commandId, clock, cancellationToken))
            {
                wakeUp.Signal();
            }
        }
        catch (Exception ex) when (ex is Marten.Exceptions.ExistingStreamIdCollisionException or JasperFx.Events.ExistingStreamIdCollisionException)
        {
        }
    }
}
