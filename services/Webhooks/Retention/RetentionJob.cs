using System.ComponentModel.DataAnnotations;
using Marten;
using Microsoft.Extensions.Options;
using PortalPlatform.ServiceDefaults.EventStore;
using PortalPlatform.Webhooks.Deliveries;
using PortalPlatform.Webhooks.Inbound;

namespace PortalPlatform.Webhooks.Retention;

/// <summary>How long delivery history and stored events are kept (section <c>Webhooks:Retention</c>).</summary>
public sealed class RetentionOptions
{
    public const string Section = "Webhooks:Retention";

    /// <summary>A delivered delivery (with its attempts) is deleted this long after it was delivered.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00")]
    public TimeSpan Delivered { get; set; } = TimeSpan.FromDays(30);

    /// <summary>A parked delivery is kept longer: an admin may still want to see why and retry it.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00")]
    public TimeSpan Parked { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How far back a replay reaches: an event is deleted this long after it happened, unless a delivery of it is still queued or kept.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00")]
    public TimeSpan Events { get; set; } = TimeSpan.FromDays(90);

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Prunes delivery history and stored events past their retention. One replica prunes at a time
/// (<see cref="ExclusiveJobLock"/>); the others skip that round. Time comes from <see cref="TimeProvider"/>.
/// </summary>
public sealed class RetentionJob(
    IDocumentStore store, ExclusiveJobLock jobLock, TimeProvider clock, IOptions<RetentionOptions> options, ILogger<RetentionJob> logger)
    : PeriodicExclusiveJob(jobLock, clock, logger)
{
    public const string JobName = "webhooks:retention";

    /// <summary>Old events looked at per round trip.</summary>
    private const int EventBatch = 1000;

    protected override string Name => JobName;

    protected override TimeSpan Interval => options.Value.SweepInterval;

    protected override Task RoundAsync(CancellationToken cancellationToken) => PruneAsync(cancellationToken);

    /// <summary>Prunes what is past its retention now; false when another replica is pruning.</summary>
    public Task<bool> PruneAsync(CancellationToken cancellationToken) => ExclusivelyAsync(PruneNowAsync, cancellationToken);

    private async Task PruneNowAsync(CancellationToken cancellationToken)
    {
        var now = Clock.GetUtcNow();
        var retention = options.Value;
        var (deliveredBefore, parkedBefore) = (now - retention.Delivered, now - retention.Parked);
        await using (var session = store.LightweightSession())
        {
            session.DeleteWhere<WebhookDelivery>(d =>
                (d.State == WebhookDeliveryState.Delivered && d.DeliveredAt < deliveredBefore) ||
                (d.State == WebhookDeliveryState.Parked && d.ParkedAt < parkedBefore));
            await session.SaveChangesAsync(cancellationToken);
        }

        var events = await PruneEventsAsync(now - retention.Events, cancellationToken);
        Logger.LogInformation("Webhook retention: history before {DeliveredBefore:u} (delivered) and {ParkedBefore:u} (parked) pruned, {Events} stored events deleted",
            deliveredBefore, parkedBefore, events);
    }

    /// <summary>Deletes old events that no remaining delivery needs (a queued one still sends their body); oldest first, a batch at a time.</summary>
    private async Task<int> PruneEventsAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        var deleted = 0;
        var after = DateTimeOffset.MinValue;
        while (true)
        {
            await using var session = store.LightweightSession();
            var batch = await session.Query<ReceivedEvent>()
                .Where(e => e.OccurredAt < before && e.OccurredAt > after)
                .OrderBy(e => e.OccurredAt)
                .Select(e => new { e.Id, e.OccurredAt })
                .Take(EventBatch)
                .ToListAsync(cancellationToken);
            if (batch.Count == 0)
            {
                return deleted;
            }

            var ids = batch.Select(e => e.Id).ToArray();
            var needed = (await session.Query<WebhookDelivery>().Where(d => d.EventId.IsOneOf(ids)).Select(d => d.EventId).ToListAsync(cancellationToken)).ToHashSet();
            var unneeded = ids.Where(id => !needed.Contains(id)).ToArray();
            if (unneeded.Length > 0)
            {
                session.DeleteWhere<ReceivedEvent>(e => e.Id.IsOneOf(unneeded));
                await session.SaveChangesAsync(cancellationToken);
                deleted += unneeded.Length;
            }

            // Ties at the batch's last instant are left to the next sweep.
            after = batch[^1].OccurredAt;
        }
    }
}
