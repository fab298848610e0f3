using Npgsql;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Tests.Infrastructure;

namespace PortalPlatform.Enrollment.Tests.Durability;

/// <summary>
/// The outgoing path survives a crash between the database commit and the publish: every integration event reaches a
/// de-duplicating consumer exactly once, with its event id as MessageId, whatever dies in between.
/// </summary>
public sealed class OutboxCrashTests(EnrollmentServers servers) : IClassFixture<EnrollmentServers>
{
    [Fact]
    public async Task Events_committed_while_the_publishing_path_is_dead_are_delivered_once_after_a_restart_and_a_replay()
    {
        // Given the running instance is stopped and a second one runs whose broker connection leads nowhere
        await servers.Service.DisposeAsync();
        var deadBroker = $"amqp://guest:guest@127.0.0.1:{PortalPlatform.Hosting.Local.Ports.Free()}/";
        var crashing = await servers.StartServiceAsync(new Dictionary<string, string?> { ["ConnectionStrings:rabbitmq"] = deadBroker }, waitUntilHealthy: false);
        var practice = Guid.NewGuid();
        var patients = Enumerable.Range(1, 5).Select(i => new StaffApi(servers.ClientFor(practice, "admin", service: crashing), $"CRASH-{i}")).ToList();

        // When commands commit (the API answers) but nothing can be published, and the process dies
        foreach (var api in patients)
        {
            await api.RecordDemographicsAsync().ExpectAsync(200);
            await api.InviteAsync().ExpectAsync(201);
            await api.RevokeAsync("Privacy").ExpectAsync(200);
        }

        await Task.Delay(TimeSpan.FromSeconds(1)); // give a (wrongly) eager publisher the chance to leak something
        Assert.DoesNotContain(servers.Messages.Deliveries, d => d.Message is IIntegrationEvent e && e.PracticeId == practice);
        await crashing.DisposeAsync();

        // Then a restarted instance publishes every committed event: InviteIssued, CreateRegistration, AccessRevoked and two status changes per patient
        var restarted = await servers.StartServiceAsync();
        const int expected = 5 * 5;
        await Eventually.TrueAsync(() => Ours(practice).Count() == expected, TimeSpan.FromSeconds(60), "all events after the restart");
        var firstRound = Ours(practice).Select(d => d.MessageId).ToHashSet();
        Assert.Equal(expected, firstRound.Count);
        Assert.All(servers.Messages.Applied.Where(a => firstRound.Contains(a.Key)), a =>
            Assert.Equal(a.Key, a.Value is IIntegrationEvent e ? e.EventId : ((IPortalCommand)a.Value).CommandId));

        // And when the instance dies after publishing but before recording its progress (rewound here), the replay
        // re-sends the same messages with the same ids, and the de-duplicating consumer applies none of them twice
        await restarted.DisposeAsync();
        await RewindPublishingProgressAsync();
        servers.ReplaceService(await servers.StartServiceAsync());
        await Eventually.TrueAsync(() => servers.Messages.Deliveries.Count(d => firstRound.Contains(d.MessageId)) >= 2 * expected, TimeSpan.FromSeconds(60), "the replay");
        Assert.Equal(firstRound, Ours(practice).Select(d => d.MessageId).ToHashSet());
        Assert.Equal(expected, servers.Messages.Applied.Keys.Count(firstRound.Contains));
    }

    private IEnumerable<(Guid MessageId, object Message)> Ours(Guid practice) =>
        servers.Messages.Deliveries.Where(d => d.Message switch
        {
            IIntegrationEvent e => e.PracticeId == practice,
            CreateRegistration c => c.PracticeId == practice,
            _ => false,
        }).DistinctBy(d => d.MessageId);

    private async Task RewindPublishingProgressAsync()
    {
        await using var connection = new NpgsqlConnection(servers.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var rewind = new NpgsqlCommand("UPDATE enrollment.mt_event_progression SET last_seq_id = 0 WHERE name LIKE 'integration-events%'", connection);
        Assert.True(await rewind.ExecuteNonQueryAsync() >= 1, "the relay's progress row should exist");
    }
}
