using System.Collections.Concurrent;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PortalPlatform.Contracts;
using PortalPlatform.ServiceDefaults.EventStore;
using PortalPlatform.Testing;

namespace PortalPlatform.Foundation.Tests;

public sealed class MessagingRoundTripTests(IsolatedServers servers) : IClassFixture<IsolatedServers>
{
    [Fact]
    public async Task A_published_event_reaches_a_consumer_of_another_service_through_RabbitMQ()
    {
        var received = new ConcurrentQueue<(Guid MessageId, EncounterSigned Message)>();
        var consumerBuilder = TestHosts.Create(servers, "roundtrip-consumer");
        consumerBuilder.Services.AddSingleton(received);
        consumerBuilder.AddPortalMessaging("roundtrip-consumer", bus => bus.AddConsumer<RecordingConsumer>());
        await using var consumer = await consumerBuilder.Build().StartConnectedAsync();

        var publisherBuilder = TestHosts.Create(servers, "roundtrip-publisher");
        publisherBuilder.AddPortalMessaging("roundtrip-publisher");
        await using var publisher = await publisherBuilder.Build().StartConnectedAsync();

        var sent = new EncounterSigned(Guid.NewGuid(), Guid.NewGuid(), "patient-1", DateTimeOffset.UtcNow, Guid.NewGuid(), "dr-who");
        await publisher.Services.GetRequiredService<IBus>().Publish(sent, context => context.MessageId = sent.EventId);

        await Eventually.TrueAsync(() => received.Count == 1, what: "the consumer to receive the event");
        var (messageId, message) = Assert.Single(received);
        Assert.Equal(sent, message);
        Assert.Equal(sent.EventId, messageId);
    }

    [Fact]
    public async Task A_redelivered_message_is_applied_once_by_an_inbox_consumer()
    {
        var builder = TestHosts.Create(servers, "inbox");
        builder.AddPortalEventStore("inbox");
        builder.AddPortalMessaging("inbox", bus => bus.AddConsumer<CountingInboxConsumer>());
        await using var app = await builder.Build().StartConnectedAsync();
        var bus = app.Services.GetRequiredService<IBus>();
        var message = new EncounterSigned(Guid.NewGuid(), Guid.NewGuid(), "patient-2", DateTimeOffset.UtcNow, Guid.NewGuid(), "dr-who");

        // The same message (same MessageId) three times, as a broker redelivery or an outbox re-publish would send it.
        for (var i = 0; i < 3; i++)
        {
            await bus.Publish(message, context => context.MessageId = message.EventId);
        }

        var store = app.Services.GetRequiredService<IDocumentStore>();
        await Eventually.TrueAsync(async () =>
        {
            await using var query = store.QuerySession();
            return await query.Query<AppliedEncounter>().CountAsync() >= 1
                && await query.Query<ProcessedMessage>().CountAsync() >= 1;
        }, what: "the first delivery to be applied");
        await Eventually.TrueAsync(() => CountingInboxConsumer.Seen(message.EventId) == 3, what: "all three deliveries to reach the consumer");

        await using var session = store.QuerySession();
        var applied = await session.Query<AppliedEncounter>().Where(a => a.EncounterId == message.EncounterId).ToListAsync();
        Assert.Single(applied);
    }

    public sealed class RecordingConsumer(ConcurrentQueue<(Guid, EncounterSigned)> received) : IConsumer<EncounterSigned>
    {
        public Task Consume(ConsumeContext<EncounterSigned> context)
        {
            received.Enqueue((context.MessageId ?? Guid.Empty, context.Message));
            return Task.CompletedTask;
        }
    }

    public sealed record AppliedEncounter(Guid Id, Guid EncounterId);

    public sealed class CountingInboxConsumer(IDocumentSession session) : IConsumer<EncounterSigned>
    {
        private static readonly ConcurrentDictionary<Guid, int> Deliveries = new();

        public static int Seen(Guid messageId) => Deliveries.GetValueOrDefault(messageId);

        public async Task Consume(ConsumeContext<EncounterSigned> context)
        {
            var messageId = context.MessageId!.Value;
            try
            {
                if (await session.AlreadyProcessedAsync(nameof(CountingInboxConsumer), messageId, context.CancellationToken))
                {
                    return;
                }

                session.Store(new AppliedEncounter(Guid.NewGuid(), context.Message.EncounterId));
                await session.SaveChangesOnceAsync(nameof(CountingInboxConsumer), messageId, TimeProvider.System, context.CancellationToken);
            }
            finally
            {
                Deliveries.AddOrUpdate(messageId, 1, (_, n) => n + 1);
            }
        }
    }
}
