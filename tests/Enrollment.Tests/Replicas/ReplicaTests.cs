using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;
using Npgsql;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PortalPlatform.Enrollment.Tests.Replicas;

/// <summary>
/// Two instances of Enrollment on one database and one vhost, as two replicas run: both take commands, only the
/// leader (HotCold, a PostgreSQL advisory lock) projects the dashboard and relays the outbox, and the other takes
/// over within seconds when the leader stops.
/// </summary>
public sealed class ReplicaTests(EnrollmentServers servers, ITestOutputHelper output) : IClassFixture<EnrollmentServers>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Two_replicas_take_commands_while_one_projects_and_relays_each_event_exactly_once()
    {
        await servers.Service.DisposeAsync(); // the fixture's instance; this test starts its own replicas
        await using var a = await StartReplicaAsync("enrollment-a");
        await WaitForLeaderAsync("enrollment-a");
        await using var b = await StartReplicaAsync("enrollment-b");
        var practice = Guid.NewGuid();
        const int patients = 24;

        // When a burst of invitations is spread over both replicas
        await BurstAsync(practice, Enumerable.Range(1, patients), i => i % 2 == 0 ? a : b);

        // Then the dashboard counts each patient once and every message left once, by one relay
        await WaitForDashboardAsync(practice, b, patients);
        await WaitForMessagesAsync(practice, patients);
        await Task.Delay(TimeSpan.FromSeconds(2)); // give a second (wrongly running) relay the chance to send its copies
        var sent = Ours(practice).ToList();
        Assert.Equal(sent.Count, sent.Select(d => d.MessageId).Distinct().Count());
        Assert.Equal(patients, sent.Count(d => d.Message is InviteIssued));
        Assert.Equal(patients, sent.Count(d => d.Message is CreateRegistration));
        Assert.Equal(new[] { "enrollment-a" }, await DaemonLockHoldersAsync());
    }

    [Fact]
    public async Task When_the_leader_stops_mid_burst_the_other_replica_takes_over_within_seconds_and_nothing_is_lost()
    {
        await servers.Service.DisposeAsync();
        await using var a = await StartReplicaAsync("enrollment-a");
        await WaitForLeaderAsync("enrollment-a");
        await using var b = await StartReplicaAsync("enrollment-b");
        var practice = Guid.NewGuid();
        const int patients = 30;

        // When the leader stops after the first third of a burst while the rest goes on against the other replica
        await BurstAsync(practice, Enumerable.Range(1, 10), i => i % 2 == 0 ? a : b);
        var stopping = Stopwatch.StartNew();
        var rest = BurstAsync(practice, Enumerable.Range(11, patients - 10), _ => b);
        await a.DisposeAsync();
        var stopped = stopping.Elapsed;
        var sinceStop = Stopwatch.StartNew();
        await WaitForLeaderAsync("enrollment-b");
        var takeover = sinceStop.Elapsed;
        await rest;
        await WaitForDashboardAsync(practice, b, patients);
        var caughtUp = sinceStop.Elapsed;
        output.WriteLine($"leader stop took {stopped.TotalMilliseconds:F0} ms; the other replica held the daemon lock {takeover.TotalMilliseconds:F0} ms after it; dashboard complete {caughtUp.TotalMilliseconds:F0} ms after it");

        // Then the takeover took seconds, every patient is on the dashboard once, and every message arrived
        Assert.True(takeover < TimeSpan.FromSeconds(10), $"takeover took {takeover}");
        await WaitForMessagesAsync(practice, patients);
        Assert.Equal(patients, servers.Messages.Applied.Values.OfType<InviteIssued>().Count(e => e.PracticeId == practice));
        Assert.Equal(patients, servers.Messages.Applied.Values.OfType<CreateRegistration>().Count(c => c.PracticeId == practice));
        var resent = Ours(practice).Count() - Ours(practice).Select(d => d.MessageId).Distinct().Count();
        output.WriteLine($"{resent} messages re-sent with their original id after the takeover (at-least-once; consumers drop them by id)");
        Assert.Equal(new[] { "enrollment-b" }, await DaemonLockHoldersAsync());
    }

    private async Task<WebApplicationFactory<EnrollmentService>> StartReplicaAsync(string name)
    {
        // The application name tells the replicas' database sessions apart in pg_stat_activity; the schema is
        // applied at start-up as deploy/ configures it.
        var connection = new NpgsqlConnectionStringBuilder(servers.DatabaseConnectionString) { ApplicationName = name }.ConnectionString;
        return await servers.StartServiceAsync(new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{PortalEventStoreExtensions.ConnectionNameOf(EnrollmentService.Name)}"] = connection,
            [PortalEventStoreExtensions.ApplySchemaOnStartupKey] = "true",
        });
    }

    private async Task BurstAsync(Guid practice, IEnumerable<int> patients, Func<int, WebApplicationFactory<EnrollmentService>> replicaOf) =>
        await Parallel.ForEachAsync(patients, new ParallelOptions { MaxDegreeOfParallelism = 6 }, async (i, _) =>
        {
            var api = new StaffApi(servers.ClientFor(practice, "admin", service: replicaOf(i)), $"REP-{i}");
            await api.RecordDemographicsAsync().ExpectAsync(200);
            await api.InviteAsync().ExpectAsync(201);
        });

    private async Task WaitForDashboardAsync(Guid practice, WebApplicationFactory<EnrollmentService> replica, int invited)
    {
        var http = servers.ClientFor(practice, "admin", service: replica);
        await Eventually.TrueAsync(async () =>
        {
            var dashboard = JsonDocument.Parse(await http.GetStringAsync("/api/practice/portal-statuses")).RootElement;
            return dashboard.GetProperty("counts").GetProperty("Invited").GetInt32() == invited
                && dashboard.GetProperty("patients").GetArrayLength() == invited;
        }, Patience, $"{invited} invited patients on the dashboard");
    }

    private Task WaitForMessagesAsync(Guid practice, int patients) =>
        Eventually.TrueAsync(
            () => servers.Messages.Applied.Values.OfType<InviteIssued>().Count(e => e.PracticeId == practice) == patients
                && servers.Messages.Applied.Values.OfType<CreateRegistration>().Count(c => c.PracticeId == practice) == patients,
            Patience, $"{patients} InviteIssued and CreateRegistration");

    private Task WaitForLeaderAsync(string replica) =>
        Eventually.TrueAsync(async () => (await DaemonLockHoldersAsync()).SequenceEqual([replica]), Patience, $"{replica} leading the async daemon");

    /// <summary>Which replicas hold an advisory lock of Marten's daemon (one-key form; job locks use the two-key form).</summary>
    private async Task<List<string>> DaemonLockHoldersAsync()
    {
        await using var connection = new NpgsqlConnection(servers.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand(
            """
            SELECT DISTINCT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            ORDER BY 1
            """, connection);
        var holders = new List<string>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            holders.Add(reader.GetString(0));
        }

        return holders;
    }

    private IEnumerable<(Guid MessageId, object Message)> Ours(Guid practice) =>
        servers.Messages.Deliveries.Where(d => d.Message switch
        {
            IIntegrationEvent e => e.PracticeId == practice,
            CreateRegistration c => c.PracticeId == practice,
            _ => false,
        });
}
