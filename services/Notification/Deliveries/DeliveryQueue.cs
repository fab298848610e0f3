using Marten;
using PortalPlatform.Contracts;
using PortalPlatform.Notification.Voiding;
using PortalPlatform.ServiceDefaults;
using PortalPlatform.ServiceDefaults.Dispatch;
using PortalPlatform.ServiceDefaults.EventStore;

namespace PortalPlatform.Notification.Deliveries;

/// <summary>A message to queue on one channel; <paramref name="ValidUntil"/> is when the link or code it carries stops working.</summary>
public sealed record QueuedMessage(
    DeliveryTarget Target, string Address, string MaskedAddress, string Subject, string Text, string? Html, DateTimeOffset? ValidUntil = null);

public static class DeliveryQueue
{
    /// <summary>The delivery of a command on a channel has this id, whoever computes it and however often.</summary>
    public static Guid DeliveryIdOf(Guid commandId, DeliveryChannel channel) => DeterministicGuid.Create(commandId, "delivery:" + channel);

    /// <summary>
    /// What every command consumer does: once per command (the inbox), queue each rendered message as its own
    /// delivery, commit them with the inbox row, then wake the dispatcher. A message for an invitation already voided
    /// (the void overtook the command) or already expired is recorded as cancelled, its content never stored.
    /// A concurrent delivery of the same command that queued them first (same delivery ids, so the stream already
    /// exists) is not an error.
    /// </summary>
    public static async Task QueueOnceAsync(
        this IDocumentSession session, string inbox, Guid commandId, Func<DateTimeOffset, IEnumerable<QueuedMessage>> render,
        TimeProvider clock, DispatcherWakeUp wakeUp, CancellationToken cancellationToken)
    {
        if (await session.AlreadyProcessedAsync(inbox, commandId, cancellationToken))
        {
            return;
        }

        var now = clock.GetUtcNow();
        foreach (var message in render(now).ToList())
        {
            var voided = message.Target.InvitationId is { } invitationId
                ? await session.LoadAsync<VoidedInvitation>(invitationId, cancellationToken)
                : null;
            session.Queue(commandId, message, now, voided?.How);
        }

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

    /// <summary>Adds the delivery (its Queued event and its rendered content, or its cancellation) to the session; committed by the caller.</summary>
    public static void Queue(this IDocumentSession session, Guid commandId, QueuedMessage message, DateTimeOffset now, string? invitationVoided = null)
    {
        var id = DeliveryIdOf(commandId, message.Target.Channel);
        var queued = new DeliveryQueued(id, commandId, message.Target, message.MaskedAddress, now, message.ValidUntil);
        if (Delivery.Create(queued).Drop(now, invitationVoided) is { } cancelled)
        {
            session.Events.StartStream<Delivery>(id, queued, cancelled);
            return;
        }

        session.Events.StartStream<Delivery>(id, queued);
        session.Store(new OutboundMessage(id, message.Target.Channel, message.Address, message.Subject, message.Text, message.Html));
    }
}
