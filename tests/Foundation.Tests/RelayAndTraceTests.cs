using System.Collections.Concurrent;
using System.Diagnostics;
using JasperFx.Events;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PortalPlatform.Contracts;
using PortalPlatform.ServiceDefaults.EventStore;
using PortalPlatform.Testing;

namespace PortalPlatform.Foundation.Tests;

/// <summary>
/// The path every service uses to get events out: an HTTP request appends a Marten event, the relay (a Marten
/// subscription) publishes the integration event through MassTransit, another service consumes it.
/// </summary>
public sealed class RelayAndTraceTests(IsolatedServers servers) : IClassFixture<IsolatedServers>
{
    public sealed record EncounterRecorded(string PatientId, Guid EncounterId);

    public sealed class EncounterMap : IIntegrationEventMap
    {
        public IEnumerable<object> Map(IEvent stored) => stored.Data switch
        {
            EncounterRecorded e => [new EncounterSigned(stored.IdFor<EncounterSigned>(), Guid.Empty, e.PatientId, stored.Timestamp, e.EncounterId, "relay-test")],
            _ => [],
        };
    }

    public sealed record Received(Guid MessageId, EncounterSigned Message, ActivityTraceId TraceId);

    public sealed class ReceivingConsumer(ConcurrentQueue<Received> received) : IConsumer<EncounterSigned>
    {
        public Task Consume(ConsumeContext<EncounterSigned> context)
        {
            received.Enqueue(new Received(context.MessageId ?? Guid.Empty, context.Message, Activity.Current?.TraceId ?? default));
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task A_request_that_appends_an_event_yields_one_trace_across_HTTP_Marten_Npgsql_and_MassTransit_send_and_receive()
    {
        var spans = new ConcurrentQueue<Activity>();
        var received = new ConcurrentQueue<Received>();
        await using var producer = await StartProducerAsync("trace-producer", spans);
        await using var consumer = await StartConsumerAsync("trace-consumer", received, spans);

        var encounterId = Guid.NewGuid();
        using var response = await producer.GetTestClient().PostAsync($"/encounters/{encounterId}", null);
        response.EnsureSuccessStatusCode();

        var delivery = await Eventually.GetAsync(() => Task.FromResult(received.FirstOrDefault(r => r.Message.EncounterId == encounterId)), what: "the relayed event to be consumed");
        Assert.NotEqual(default, delivery.TraceId);
        await Eventually.TrueAsync(
            () => spans.Any(s => s.TraceId == delivery.TraceId && s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Consumer),
            what: "the consumer span to be exported");

        var trace = spans.Where(s => s.TraceId == delivery.TraceId).DistinctBy(s => s.SpanId).ToList();
        var shape = string.Join(", ", trace.Select(s => $"{s.Source.Name}/{s.Kind}/{s.DisplayName}"));
        Assert.True(trace.Any(s => s.Kind == ActivityKind.Server && s.Source.Name == "Microsoft.AspNetCore"), "no HTTP server span in: " + shape);
        Assert.True(trace.Any(s => s.Source.Name == "Marten"), "no Marten span in: " + shape);
        Assert.True(trace.Any(s => s.Source.Name == "Npgsql"), "no Npgsql span in: " + shape);
        Assert.True(trace.Any(s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Producer), "no MassTransit send span in: " + shape);
        Assert.True(trace.Any(s => s.Source.Name == "MassTransit" && s.Kind == ActivityKind.Consumer), "no MassTransit receive span in: " + shape);
        Assert.Equal(delivery.Message.EventId, delivery.MessageId);
    }

    [Fact]
    public async Task Events_committed_while_the_relay_is_down_are_all_published_after_a_restart_and_any_resend_keeps_its_message_id()
    {
        var received = new ConcurrentQueue<Received>();
        await using var consumer = await StartConsumerAsync("outage-consumer", received);
        var encounters = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToList();

        // Commit events with no relay running (the service crashed right after its database commit).
        using (var store = DocumentStore.For(options =>
        {
            options.Connection(servers.DatabaseConnectionString);
            options.DatabaseSchemaName = "outage_producer";
            options.Events.DatabaseSchemaName = "outage_producer";
        }))
        {
            await using var session = store.LightweightSession();
            foreach (var id in encounters)
            {
                session.Events.StartStream(Guid.NewGuid(), new EncounterRecorded("p", id));
            }

            await session.SaveChangesAsync();
        }

        // The service starts again: the relay resumes from its stored progress and publishes everything.
        await using (var producer = await StartProducerAsync("outage-producer"))
        {
            await Eventually.TrueAsync(() => encounters.All(id => received.Any(r => r.Message.EncounterId == id)), what: "every committed event to be published");
        }

        // A second restart goes on from the stored progress.
        var later = Guid.NewGuid();
        await using (var restarted = await StartProducerAsync("outage-producer"))
        {
            using var response = await restarted.GetTestClient().PostAsync($"/encounters/{later}", null);
            response.EnsureSuccessStatusCode();
            await Eventually.TrueAsync(() => received.Any(r => r.Message.EncounterId == later), what: "the new event after the restart");
        }

        // At-least-once: a stop in mid-page may re-send, but every copy of an event carries the same message id,
        // which is what lets consumers (the Inbox) apply it exactly once.
        Assert.All(encounters.Append(later), id =>
        {
            var copies = received.Where(r => r.Message.EncounterId == id).ToList();
            Assert.NotEmpty(copies);
            Assert.Single(copies.Select(c => c.MessageId).Distinct());
            Assert.All(copies, c => Assert.Equal(c.Message.EventId, c.MessageId));
        });
    }

    private async Task<WebApplication> StartProducerAsync(string name, ConcurrentQueue<Activity>? spans = null)
    {
        var builder = TestHosts.Create(servers, name, spans);
        builder.AddPortalEventStore(name).PublishIntegrationEvents<EncounterMap>();
        builder.AddPortalMessaging(name);
        var app = builder.Build();
        app.MapPost("/encounters/{encounterId:guid}", async (Guid encounterId, IDocumentSession session) =>
        {
            session.Events.StartStream(Guid.NewGuid(), new EncounterRecorded("patient-7", encounterId));
            await session.SaveChangesAsync();
            return Results.Accepted();
        });
        return await app.StartConnectedAsync();
    }

    private async Task<WebApplication> StartConsumerAsync(string name, ConcurrentQueue<Received> received, ConcurrentQueue<Activity>? spans = null)
    {
        var builder = TestHosts.Create(servers, name, spans);
        builder.Services.AddSingleton(received);
        builder.AddPortalMessaging(name, bus => bus.AddConsumer<ReceivingConsumer>());
        return await builder.Build().StartConnectedAsync();
    }
}
