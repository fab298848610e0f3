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
    /// Two round trips: the voids of the command's invitation, then the commit. A command seen before (redelivered,
    /// or delivered twice at once) is not looked up first: its commit meets the inbox row or the delivery streams
    /// already there and changes nothing, which is not an error.
    /// </summary>
    public static async Task QueueOnceAsync(
        this IDocumentSession session, string inbox, Guid commandId, Func<DateTimeOffset, IEnumerable<QueuedMessage>> render,
        TimeProvider clock, DispatcherWakeUp wakeUp, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var now = clock.GetUtcNow();
        var messages = render(now).ToList();
        var invitations = messages.Select(m => m.Target.InvitationId).OfType<Guid>().Distinct().ToList();
        var voided = invitations.Count == 0
            ? new Dictionary<Guid, VoidedInvitation>()
            : (await session.LoadManyAsync<VoidedInvitation>(cancellationToken, invitations)).ToDictionary(v => v.Id);
        foreach (var message in messages)
        {
            var how = message.Target.InvitationId is { } invitationId && voided.TryGetValue(invitationId, out var invitationVoided) ? invitationVoided.How : null;
            session.Queue(commandId, message, now, how);
        }

        try
        {
            if (await session.SaveChangesOnceAsync(inbox, commandId, clock, cancellationToken))
            {
                wakeUp.Signal();
                DeliveryDispatcher.RecordPhase("store", started);
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
