using JasperFx.Events.Projections;
using Marten;

namespace PortalPlatform.ServiceDefaults.EventStore;

/// <summary>How far behind the outbox is and how many messages wait parked.</summary>
/// <param name="Lag">Committed events the relay has not yet gone past.</param>
/// <param name="LagAge">Age of the oldest of them; zero when none waits.</param>
public sealed record RelayStatus(long Lag, TimeSpan LagAge, int Parked)
{
    public static readonly RelayStatus Unknown = new(0, TimeSpan.Zero, 0);
}

/// <summary>Reads <see cref="RelayStatus"/> from the service's event store: the relay's stored progress against the events.</summary>
internal sealed class RelayStatusReader(IDocumentStore store, TimeProvider clock)
{
    public async Task<RelayStatus> ReadAsync(CancellationToken cancellationToken)
    {
        var shards = await store.Advanced.AllProjectionProgress(token: cancellationToken);
        var relayed = shards.FirstOrDefault(s => s.ShardName.StartsWith(IntegrationEventRelay.SubscriptionName + ":", StringComparison.Ordinal))?.Sequence ?? 0;

        await using var session = store.QuerySession();
        var parked = await session.Query<ParkedMessage>().CountAsync(p => p.ReplayedAt == null, cancellationToken);
        var waiting = session.Events.QueryAllRawEvents().Where(e => e.Sequence > relayed);
        var lag = await waiting.LongCountAsync(cancellationToken);
        if (lag == 0)
        {
            return new RelayStatus(0, TimeSpan.Zero, parked);
        }

        var oldest = await waiting.OrderBy(e => e.Sequence).FirstOrDefaultAsync(cancellationToken);
        var age = oldest is null ? TimeSpan.Zero : clock.GetUtcNow() - oldest.Timestamp;
        return new RelayStatus(lag, age < TimeSpan.Zero ? TimeSpan.Zero : age, parked);
    }
}
