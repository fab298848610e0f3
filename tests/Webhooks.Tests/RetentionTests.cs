using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using PortalPlatform.ServiceDefaults.EventStore;
using PortalPlatform.Testing;
using PortalPlatform.Webhooks.Deliveries;
using PortalPlatform.Webhooks.Inbound;
using PortalPlatform.Webhooks.Retention;

namespace PortalPlatform.Webhooks.Tests;

/// <summary>
/// The retention job against the service's real database, driven by a clock the test moves: delivered history goes
/// after 30 days, parked after 90, stored events after 90 unless a delivery still needs them; one replica at a time.
/// </summary>
public sealed class RetentionTests(WebhookServers servers) : IClassFixture<WebhookServers>
{
    // A year ahead, so the service's own sweep (on the real clock) never prunes this test's documents.
    private static readonly DateTimeOffset T = DateTimeOffset.UtcNow.AddYears(1);

    private IDocumentStore Store => servers.Webhooks.Services.GetRequiredService<IDocumentStore>();

    [Fact]
    public async Task Delivered_history_goes_after_30_days_parked_after_90_and_events_only_when_no_delivery_needs_them()
    {
        var history = await StoreHistoryAsync();
        var clock = new FakeTimeProvider(T.AddDays(29));
        var job = JobAt(clock);

        await PrunedAsync(job);
        Assert.Equal(history.AllDeliveries, await DeliveriesLeftAsync(history));
        Assert.Equal(history.AllEvents, await EventsLeftAsync(history));

        clock.SetUtcNow(T.AddDays(31));
        await PrunedAsync(job);
        Assert.Equal([history.Parked, history.Pending], await DeliveriesLeftAsync(history));
        Assert.Equal(history.AllEvents, await EventsLeftAsync(history));

        clock.SetUtcNow(T.AddDays(92));
        await PrunedAsync(job);
        Assert.Equal([history.Pending], await DeliveriesLeftAsync(history));
        Assert.Equal([history.PendingEvent], await EventsLeftAsync(history));
    }

    [Fact]
    public async Task A_replica_skips_pruning_while_another_one_is_pruning()
    {
        var history = await StoreHistoryAsync();
        var job = JobAt(new FakeTimeProvider(T.AddDays(92)));

        // (not pooled: closing it ends the session, as a replica's death does)
        await using (var otherReplica = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(servers.DatabaseConnectionString) { Pooling = false }.ConnectionString))
        {
            await otherReplica.OpenAsync();
            await using var take = new NpgsqlCommand("SELECT pg_advisory_lock($1, $2)", otherReplica)
            {
                Parameters = { new() { Value = ExclusiveJobLock.JobLockSpace }, new() { Value = AdvisoryLocks.KeyOf(RetentionJob.JobName) } },
            };
            await take.ExecuteNonQueryAsync();

            Assert.False(await job.PruneAsync(CancellationToken.None));
            Assert.Equal(history.AllDeliveries, await DeliveriesLeftAsync(history));
            Assert.Equal(history.AllEvents, await EventsLeftAsync(history));
        }

        // The server ends the closed session (and frees its lock) a moment after the client has gone.
        await PrunedAsync(job);
        Assert.Equal([history.Pending], await DeliveriesLeftAsync(history));
    }

    private sealed record History(Guid Delivered, Guid Parked, Guid Pending, Guid PendingEvent, Guid[] AllDeliveries, Guid[] AllEvents);

    /// <summary>Four events of time T: one delivered at once, one parked after a day, one still queued, one nobody wanted.</summary>
    private async Task<History> StoreHistoryAsync()
    {
        var (practice, subscription, patient) = (Guid.NewGuid(), Guid.NewGuid(), WebhookServers.NewPatient());
        var events = Enumerable.Range(0, 4).Select(_ => new ReceivedEvent(Guid.NewGuid(), practice, patient, "com.portalplatform.enrollment.invite-issued.v1", T, T, "{}")).ToArray();
        var delivered = WebhookDelivery.For(subscription, events[0], behindAnother: false);
        delivered.State = WebhookDeliveryState.Delivered;
        delivered.DeliveredAt = T.AddMinutes(1);
        var parked = WebhookDelivery.For(subscription, events[1], behindAnother: false);
        parked.State = WebhookDeliveryState.Parked;
        parked.ParkedAt = T.AddDays(1);
        var pending = WebhookDelivery.For(subscription, events[2], behindAnother: false);

        await using var session = Store.LightweightSession();
        session.Store(events);
        session.Store(delivered, parked, pending);
        await session.SaveChangesAsync();
        return new History(delivered.Id, parked.Id, pending.Id, events[2].Id, [delivered.Id, parked.Id, pending.Id], [.. events.Select(e => e.Id)]);
    }

    /// <summary>
    /// A prune that ran: it is skipped only while another holder has the lock (a replica's session the server has not
    /// yet ended, or the service's own sweep on its real clock), so it runs within moments.
    /// </summary>
    private static Task PrunedAsync(RetentionJob job) =>
        Eventually.TrueAsync(() => job.PruneAsync(CancellationToken.None), TimeSpan.FromSeconds(10), "a prune that was not skipped");

    private RetentionJob JobAt(TimeProvider clock) =>
        new(Store, servers.Webhooks.Services.GetRequiredService<ExclusiveJobLock>(), clock, Options.Create(new RetentionOptions()), NullLogger<RetentionJob>.Instance);

    private async Task<Guid[]> DeliveriesLeftAsync(History history)
    {
        await using var session = Store.QuerySession();
        var left = (await session.LoadManyAsync<WebhookDelivery>(history.AllDeliveries)).Select(d => d.Id).ToHashSet();
        return [.. history.AllDeliveries.Where(left.Contains)];
    }

    private async Task<Guid[]> EventsLeftAsync(History history)
    {
        await using var session = Store.QuerySession();
        var left = (await session.LoadManyAsync<ReceivedEvent>(history.AllEvents)).Select(e => e.Id).ToHashSet();
        return [.. history.AllEvents.Where(left.Contains)];
    }
}
