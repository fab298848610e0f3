using JasperFx.Events;

namespace PortalPlatform.ServiceDefaults.EventStore;

/// <summary>
/// A message the outbox could never publish (it failed to map or to serialize), kept with
/// the reason so that the rest of the service's events go on; ops replay it once the cause is fixed. Written in the
/// same transaction as the relay's progress, so a message is either published, parked, or still to come.
/// </summary>
/// <param name="Id">The message id, or for an event that failed to map, an id derived from the event.</param>
/// <param name="MessageType">Null when the event failed to map: replay then sends everything the map gives.</param>
public sealed record ParkedMessage(
    Guid Id, long Sequence, Guid EventId, string EventType, string? MessageType, string Reason, DateTimeOffset ParkedAt)
{
    public DateTimeOffset? ReplayedAt { get; init; }

    public static ParkedMessage Unmappable(IEvent stored, Exception failure, DateTimeOffset now) =>
        new(DeterministicGuid.Create(stored.Id, "relay:unmappable"), stored.Sequence, stored.Id, stored.EventTypeName, null, RelayFailures.Describe(failure), now);

    internal static ParkedMessage Unpublishable(IEvent stored, OutgoingMessage message, Exception failure, DateTimeOffset now) =>
        new(message.MessageId, stored.Sequence, stored.Id, stored.EventTypeName, message.Message.GetType().Name, RelayFailures.Describe(failure), now);
}
