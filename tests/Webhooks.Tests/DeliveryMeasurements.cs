using System.Diagnostics;
using System.Globalization;
using System.Text;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using PortalPlatform.Testing;
using PortalPlatform.Webhooks.Catalogue;
using PortalPlatform.Webhooks.Deliveries;
using Xunit.Abstractions;

namespace PortalPlatform.Webhooks.Tests;

/// <summary>The measurement's own service and database, so no other test's deliveries share its dispatcher.</summary>
public sealed class MeasurementServers : WebhookServers;

/// <summary>Measurements run alone, after the other test classes, so they do not measure their neighbours.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasurementCollection
{
    public const string Name = "measurements";
}

/// <summary>
/// Throughput and added latency of webhook delivery, printed next to a raw baseline measured in the same run (the
/// same receiver, the same signed bodies posted straight from the test). Prints figures; asserts only that every
/// event arrived, never a time.
/// </summary>
[Collection(MeasurementCollection.Name)]
public sealed class DeliveryMeasurements(MeasurementServers servers, ITestOutputHelper output) : IClassFixture<MeasurementServers>
{
    private const int Events = 500;
    private const int Patients = 50;

    [Fact]
    public async Task Measure_delivery_throughput_and_latency_from_consumed_to_received_against_a_raw_baseline()
    {
        var practice = Guid.NewGuid();
        var (path, baselinePath) = (WebhookServers.NewPath(), WebhookServers.NewPath());
        var subscription = await servers.Admin(practice).SubscribeAsync(servers.Receiver.UrlOf(path));
        var patients = Enumerable.Range(0, Patients).Select(_ => WebhookServers.NewPatient()).ToArray();
        var start = DateTimeOffset.UtcNow;
        var events = Enumerable.Range(0, Events).Select(i => WebhookServers.Invited(practice, patients[i % Patients], start.AddMilliseconds(i))).ToList();

        // Consumption alone: a practice without subscribers (the events are only stored, for later replays).
        var quiet = Guid.NewGuid();
        var store = servers.Webhooks.Services.GetRequiredService<IDocumentStore>();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(events.Select(e => WebhookServers.Invited(quiet, e.PatientId, e.OccurredAt)), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (e, _) => await servers.PublishAsync(e));
        await Eventually.TrueAsync(async () =>
        {
            await using var probe = store.QuerySession();
            return await probe.Query<Inbound.ReceivedEvent>().CountAsync(e => e.PracticeId == quiet) == Events;
        }, TimeSpan.FromMinutes(10), "every event of the quiet practice consumed");
        var consumeOnly = clock.Elapsed;

        clock.Restart();
        await Parallel.ForEachAsync(events, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (e, _) => await servers.PublishAsync(e));
        await Eventually.TrueAsync(() => servers.Receiver.AcceptedAt(path).Select(r => r.WebhookId).Distinct().Count() == Events, TimeSpan.FromMinutes(10), "every event delivered");
        var serviceElapsed = clock.Elapsed;

        var received = servers.Receiver.AcceptedAt(path).GroupBy(r => r.WebhookId).ToDictionary(g => g.Key, g => g.Min(r => r.At));
        await using var session = store.QuerySession();
        var deliveries = await session.Query<WebhookDelivery>().Where(d => d.SubscriptionId == subscription.Id).ToListAsync();
        var added = deliveries.Select(d => (received[d.EventId.ToString()] - d.ConsumedAt).TotalMilliseconds).Order().ToArray();

        // Baseline: the same bodies, signed and posted by one client with the dispatcher's parallelism, no broker, no database.
        using var http = new HttpClient();
        var bodies = events.Select(e => CloudEventMapper.ToJson(CloudEventMapper.ToCloudEvent(e))).ToList();
        var secret = (await servers.Admin(practice).SubscribeAsync(servers.Receiver.UrlOf(WebhookServers.NewPath()))).Secret;
        var raw = new double[Events];
        clock.Restart();
        await Parallel.ForEachAsync(Enumerable.Range(0, Events), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, token) =>
        {
            var id = events[i].EventId.ToString();
            using var request = new HttpRequestMessage(HttpMethod.Post, servers.Receiver.UrlOf(baselinePath)) { Content = new StringContent(bodies[i], Encoding.UTF8, CloudEventMapper.ContentType) };
            var now = DateTimeOffset.UtcNow;
            request.Headers.Add("webhook-id", id);
            request.Headers.Add("webhook-timestamp", now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
            request.Headers.Add("webhook-signature", WebhookSender.Sign(id, now, bodies[i], [secret]));
            var sent = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request, token);
            raw[i] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
        });
        var baselineElapsed = clock.Elapsed;
        Array.Sort(raw);

        Assert.Equal(Events, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(WebhookDeliveryState.Delivered, d.State));
        var serviceRate = Events / serviceElapsed.TotalSeconds;
        var baselineRate = Events / baselineElapsed.TotalSeconds;
        output.WriteLine($"{Events} events, {Patients} patients, one subscription, receiver on loopback answering 200; load average {File.ReadAllText("/proc/loadavg").Trim()}");
        output.WriteLine($"through the service (publish -> RabbitMQ -> consume -> PostgreSQL -> signed POST): {serviceRate:0} events/s ({serviceElapsed.TotalSeconds:0.00} s)");
        output.WriteLine($"raw baseline (signed POSTs from the test, 16 in parallel): {baselineRate:0} events/s ({baselineElapsed.TotalSeconds:0.00} s); service/baseline = {serviceRate / baselineRate:0.00}");
        output.WriteLine($"added latency, event consumed -> receiver got it: p50 {Percentile(added, 0.50):0.0} ms, p99 {Percentile(added, 0.99):0.0} ms, max {added[^1]:0.0} ms");
        var attempt = deliveries.Select(d => (double)d.Attempts[^1].LatencyMs).Order().ToArray();
        var waited = deliveries.Select(d => (d.Attempts[^1].At - d.ConsumedAt).TotalMilliseconds).Order().ToArray();
        var consumedSpan = deliveries.Max(d => d.ConsumedAt) - deliveries.Min(d => d.ConsumedAt);
        output.WriteLine($"  of which queued (consumed -> attempt started, includes waiting behind the patient's earlier events): p50 {Percentile(waited, 0.50):0.0} ms; the POST itself: p50 {Percentile(attempt, 0.50):0.0} ms, p99 {Percentile(attempt, 0.99):0.0} ms");
        output.WriteLine($"consumption alone (no subscriber): {Events / consumeOnly.TotalSeconds:0} events/s");
        output.WriteLine($"  consuming all {Events} events took {consumedSpan.TotalSeconds:0.00} s");
        output.WriteLine($"raw POST round trip: p50 {Percentile(raw, 0.50):0.0} ms, p99 {Percentile(raw, 0.99):0.0} ms; added p50 / raw p50 = {Percentile(added, 0.50) / Percentile(raw, 0.50):0.0}");
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
