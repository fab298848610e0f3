using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using JasperFx.Events;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PortalPlatform.Contracts;
using PortalPlatform.Hosting.Local;
using PortalPlatform.ServiceDefaults.EventStore;
using PortalPlatform.ServiceDefaults.Security;
using PortalPlatform.Testing;

namespace PortalPlatform.Foundation.Tests;

/// <summary>
/// One message that can never be published must not stop the service's other events: it is parked with the
/// reason, counted in /health (Degraded, still 200) and the outbox gauges, and ops replay it once it is fixed.
/// A broker that is away is not such a message: nothing is parked, nothing is skipped.
/// </summary>
public sealed class OutboxPoisonMessageTests(IsolatedServers servers) : IClassFixture<IsolatedServers>
{
    public sealed record EncounterRecorded(Guid EncounterId, bool Unserializable);

    /// <summary>An integration event System.Text.Json refuses to write (a <see cref="Type"/> property).</summary>
    public sealed record UnserializableEvent(Guid EventId, Guid PracticeId, string PatientId, DateTimeOffset OccurredAt, Type Payload) : IIntegrationEvent
    {
        public int SchemaVersion => 1;
    }

    /// <summary>Encounters the map fails on until a test "deploys the fix" by removing them.</summary>
    public sealed class BrokenMapping
    {
        public ConcurrentDictionary<Guid, bool> Encounters { get; } = new();
    }

    public sealed class PoisonableMap(BrokenMapping broken) : IIntegrationEventMap
    {
        public IEnumerable<object> Map(IEvent stored) => stored.Data switch
        {
            EncounterRecorded e when broken.Encounters.ContainsKey(e.EncounterId) => throw new InvalidOperationException("mapping bug"),
            EncounterRecorded { Unserializable: true } => [new UnserializableEvent(stored.IdFor<UnserializableEvent>(), Guid.Empty, "p", stored.Timestamp, typeof(string))],
            EncounterRecorded e => [new EncounterSigned(stored.IdFor<EncounterSigned>(), Guid.Empty, "p", stored.Timestamp, e.EncounterId, "poison-test")],
            _ => [],
        };
    }

    public sealed class ReceivingConsumer(ConcurrentQueue<EncounterSigned> received) : IConsumer<EncounterSigned>
    {
        public Task Consume(ConsumeContext<EncounterSigned> context)
        {
            received.Enqueue(context.Message);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task An_unserializable_message_is_parked_with_its_reason_and_the_events_after_it_are_still_published()
    {
        var received = new ConcurrentQueue<EncounterSigned>();
        await using var consumer = await StartConsumerAsync("serialize-consumer", received);
        await using var producer = await StartProducerAsync("serialize-producer", new BrokenMapping());
        using var client = OperatorClient(producer);
        using var parkedGauge = new GaugeReader(producer, "portal.relay.parked");

        await RecordAsync(producer, Guid.NewGuid(), unserializable: true);
        var after = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };
        foreach (var id in after)
        {
            await RecordAsync(producer, id);
        }

        await Eventually.TrueAsync(() => after.All(id => received.Any(r => r.EncounterId == id)), what: "the events after the poison one to be published");
        var parked = await ParkedAsync(client);
        var message = Assert.Single(parked.Messages);
        Assert.Equal(nameof(UnserializableEvent), message.MessageType);
        Assert.Contains("Type", message.Reason, StringComparison.Ordinal);

        var health = await HealthAsync(producer, "Degraded");
        Assert.Equal(HttpStatusCode.OK, health.Status);
        Assert.Contains("1 parked message", health.OutboxDescription, StringComparison.Ordinal);
        await Eventually.TrueAsync(() => parkedGauge.Read() == 1, what: "the portal.relay.parked gauge to show 1");

        // Parked messages span practices: a practice's own admin does not see them.
        using var admin = producer.GetTestClient();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenFor(StaffRoles.Admin));
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync(ParkedMessageEndpoints.Path)).StatusCode);

        // Replaying a message that still cannot be written keeps it parked.
        using var replay = await client.PostAsync($"{ParkedMessageEndpoints.Path}/{message.Id}/replay", null);
        Assert.Equal(HttpStatusCode.Conflict, replay.StatusCode);
        Assert.Single((await ParkedAsync(client)).Messages);
    }

    [Fact]
    public async Task A_replayed_message_is_published_once_after_the_fix_and_health_returns_to_healthy()
    {
        var received = new ConcurrentQueue<EncounterSigned>();
        await using var consumer = await StartConsumerAsync("replay-consumer", received);
        var broken = new BrokenMapping();
        await using var producer = await StartProducerAsync("replay-producer", broken);
        using var client = OperatorClient(producer);

        var poisoned = Guid.NewGuid();
        broken.Encounters[poisoned] = true;
        await RecordAsync(producer, poisoned);
        var next = Guid.NewGuid();
        await RecordAsync(producer, next);

        await Eventually.TrueAsync(() => received.Any(r => r.EncounterId == next), what: "the event after the unmappable one to be published");
        var message = Assert.Single((await ParkedAsync(client)).Messages);
        Assert.Null(message.MessageType);
        Assert.Contains("mapping bug", message.Reason, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await HealthAsync(producer, "Degraded")).Status);
        Assert.DoesNotContain(received, r => r.EncounterId == poisoned);

        broken.Encounters.TryRemove(poisoned, out _);
        using (var replay = await client.PostAsync($"{ParkedMessageEndpoints.Path}/{message.Id}/replay", null))
        {
            Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        }

        using (var again = await client.PostAsync($"{ParkedMessageEndpoints.Path}/{message.Id}/replay", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }

        // A later event on the same queue arrives after the replayed one, so any second copy would be here by then.
        var marker = Guid.NewGuid();
        await RecordAsync(producer, marker);
        await Eventually.TrueAsync(() => received.Any(r => r.EncounterId == marker), what: "the marker event to be published");
        Assert.Single(received, r => r.EncounterId == poisoned);
        Assert.Empty((await ParkedAsync(client)).Messages);
        Assert.Equal(HttpStatusCode.OK, (await HealthAsync(producer, "Healthy")).Status);
    }

    [Fact]
    public async Task While_the_broker_is_down_nothing_is_parked_and_nothing_is_skipped()
    {
        var received = new ConcurrentQueue<EncounterSigned>();
        await using var consumer = await StartConsumerAsync("outage-consumer", received);
        var encounters = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };

        var deadBroker = $"amqp://guest:guest@127.0.0.1:{Ports.Free()}/";
        await using (var cutOff = await StartProducerAsync("outage-producer", new BrokenMapping(), deadBroker))
        {
            foreach (var id in encounters)
            {
                await RecordAsync(cutOff, id);
            }

            // The outbox is behind, and says so, but parks nothing: the broker being away is not the message's fault.
            var health = await HealthAsync(cutOff, "Degraded", outboxOnly: true);
            Assert.Contains("3 event(s) not yet published", health.OutboxDescription, StringComparison.Ordinal);
            using var cutOffClient = OperatorClient(cutOff);
            Assert.Empty((await ParkedAsync(cutOffClient)).Messages);
        }

        await using var restored = await StartProducerAsync("outage-producer", new BrokenMapping());
        await Eventually.TrueAsync(() => encounters.All(id => received.Any(r => r.EncounterId == id)), what: "every event held during the outage to be published");
        using var restoredClient = OperatorClient(restored);
        Assert.Empty((await ParkedAsync(restoredClient)).Messages);
    }

    private async Task<WebApplication> StartProducerAsync(string name, BrokenMapping broken, string? broker = null)
    {
        var builder = TestHosts.Create(servers, name);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Relay:DegradedLagAge"] = "00:00:01",
            ["Relay:MetricsInterval"] = "00:00:00.200",
            ["ConnectionStrings:rabbitmq"] = broker ?? servers.RabbitMqConnectionString,
        });
        builder.Services.AddSingleton(broken);
        builder.AddStaffAuthentication();
        builder.AddPortalEventStore(name).PublishIntegrationEvents<PoisonableMap>();
        builder.AddPortalMessaging(name);
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapDefaultEndpoints();
        app.MapPost("/encounters/{encounterId:guid}", async (Guid encounterId, bool? unserializable, IDocumentSession session) =>
        {
            session.Events.StartStream(Guid.NewGuid(), new EncounterRecorded(encounterId, unserializable ?? false));
            await session.SaveChangesAsync();
            return Results.Accepted();
        });
        if (broker is not null)
        {
            await app.StartAsync();
            return app;
        }

        return await app.StartConnectedAsync();
    }

    private async Task<WebApplication> StartConsumerAsync(string name, ConcurrentQueue<EncounterSigned> received)
    {
        var builder = TestHosts.Create(servers, name);
        builder.Services.AddSingleton(received);
        builder.AddPortalMessaging(name, bus => bus.AddConsumer<ReceivingConsumer>());
        return await builder.Build().StartConnectedAsync();
    }

    private static async Task RecordAsync(WebApplication producer, Guid encounterId, bool unserializable = false)
    {
        using var client = producer.GetTestClient();
        using var response = await client.PostAsync($"/encounters/{encounterId}?unserializable={unserializable}", null);
        response.EnsureSuccessStatusCode();
    }

    private string TokenFor(string role) =>
        servers.StaffTokens.Issue(new StaffUser(Guid.NewGuid(), "user-1", "Test user", role));

    private HttpClient OperatorClient(WebApplication app)
    {
        var client = app.GetTestClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenFor(StaffRoles.Operator));
        return client;
    }

    private static async Task<ParkedMessageEndpoints.ParkedMessagesResponse> ParkedAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<ParkedMessageEndpoints.ParkedMessagesResponse>(ParkedMessageEndpoints.Path))!;

    private sealed record Health(HttpStatusCode Status, string OutboxDescription);

    /// <summary>Waits until the outbox entry of /health has <paramref name="outboxStatus"/>.</summary>
    private static async Task<Health> HealthAsync(WebApplication app, string outboxStatus, bool outboxOnly = false)
    {
        using var client = app.GetTestClient();
        return await Eventually.GetAsync(async () =>
        {
            using var response = await client.GetAsync("/health");
            var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            var outbox = report.GetProperty("checks").GetProperty("outbox");
            var overall = report.GetProperty("status").GetString();
            return outbox.GetProperty("status").GetString() == outboxStatus && (outboxOnly || overall == outboxStatus)
                ? new Health(response.StatusCode, outbox.GetProperty("description").GetString() ?? "")
                : null;
        }, what: $"the outbox health to be {outboxStatus}");
    }

    /// <summary>Reads one of this host's own outbox gauges (other hosts in the process have their own meters).</summary>
    private sealed class GaugeReader : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _value = -1;

        public GaugeReader(WebApplication app, string instrument)
        {
            var factory = app.Services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (found, listener) =>
            {
                if (found.Name == instrument && ReferenceEquals(found.Meter.Scope, factory))
                {
                    listener.EnableMeasurementEvents(found);
                }
            };
            _listener.SetMeasurementEventCallback<int>((_, value, _, _) => Interlocked.Exchange(ref _value, value));
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Exchange(ref _value, value));
            _listener.Start();
        }

        public long Read()
        {
            _listener.RecordObservableInstruments();
            return Interlocked.Read(ref _value);
        }

        public void Dispose() => _listener.Dispose();
    }
}
