using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using PortalPlatform.Testing;
using Xunit.Abstractions;

namespace PortalPlatform.AppHost.Tests.Replicas;

/// <summary>
/// Issue 12's must-show: two replicas of every service through the real AppHost, the seed story, then one replica of
/// each service SIGKILLed in the middle of a burst of invitations, and nothing lost, nothing doubled.
/// </summary>
[Collection(TwoReplicaCollection.Name)]
public sealed class ReplicaFailoverTests(TwoReplicaPlatform platform, ITestOutputHelper output)
{
    private const int Patients = 48;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);
    private static readonly string[] Services = ["gateway", "webhooks", .. DaemonLeaders.DatabaseOf.Keys];

    [Fact]
    public async Task Killing_one_replica_of_every_service_mid_burst_still_sends_each_patient_one_email_message_and_counts_each_once()
    {
        output.WriteLine($"all resources healthy in {platform.StartedIn.TotalSeconds:0.0} s");
        var replicas = await Processes.ReplicasAsync(platform.App, Services, replicas: 2);
        foreach (var (service, instances) in replicas)
        {
            Assert.Equal(2, instances.Select(r => r.Pid).Where(Processes.IsAlive).Distinct().Count());
            foreach (var replica in instances)
            {
                output.WriteLine($"{replica.ResourceId}: {string.Join(" <- ", Processes.SelfAndDescendants(replica.Pid).Select(p => $"{p} {Processes.CommandLineOf(p)}"))}");
            }
        }

        // Given the demo seed story, loaded through the replicas once each has served a few requests
        await WarmUpAsync();
        await SeedStoryAsync();

        // And, for every service with a daemon at work, the replica leading it (projections, outbox relay)
        var leaders = new DaemonLeaders(platform.App);
        var victims = new Dictionary<string, ServiceReplica> { ["gateway"] = replicas["gateway"][0], ["webhooks"] = replicas["webhooks"][0] };
        var before = new Dictionary<string, LockHolder>();
        foreach (var service in DaemonLeaders.DatabaseOf.Keys)
        {
            before[service] = await Eventually.GetAsync(() => leaders.HolderAsync(service), Patience, $"a replica of {service} leading its daemon");
            victims[service] = replicas[service].Single(r => r.OwnsLocalPort(before[service].ClientPort));
        }

        // When a burst of invitations goes through the gateway and those replicas, one per service, are SIGKILLed a third of the way in
        using var portal = new PortalClient(platform);
        using var staff = new HttpClient { BaseAddress = platform.GatewayAddress, Timeout = TimeSpan.FromSeconds(30) };
        staff.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await portal.StaffTokenAsync("admin"));
        var patients = InvitationBurst.Patients(Patients, Guid.NewGuid().ToString("N")[..6]);
        var clock = Stopwatch.StartNew();
        var burst = new InvitationBurst(staff, clock);
        var sending = burst.RunAsync(patients, parallel: 6);
        await Task.WhenAny(burst.AcceptedAsync(Patients / 3), sending).WaitAsync(Patience);
        if (sending.IsFaulted)
        {
            await sending; // the burst's own failure, reported as such
        }

        Assert.False(sending.IsCompleted, "the burst ended before the kill");
        using var watching = new CancellationTokenSource();
        var states = WatchStatesAsync(victims.Values.Select(v => v.ResourceId).ToHashSet(), clock, watching.Token);
        var killedAt = clock.Elapsed;
        foreach (var victim in victims.Values)
        {
            // Process.Kill is SIGKILL on Linux: no shutdown hooks, sockets closed by the kernel.
            foreach (var pid in Processes.SelfAndDescendants(victim.Pid).Reverse())
            {
                Process.GetProcessById(pid).Kill();
            }
        }

        output.WriteLine($"SIGKILLed at {killedAt.TotalSeconds:0.00} s, after {burst.Accepted.Count} of {Patients} invitations: {string.Join(", ", victims.Values.Select(v => $"{v.ResourceId} ({v.Pid})"))}");
        var takeovers = await Task.WhenAll(DaemonLeaders.DatabaseOf.Keys.Select(async service =>
        {
            var holder = await Eventually.GetAsync(async () => await leaders.HolderAsync(service) is { } h && h.Backend != before[service].Backend ? h : null,
                Patience, $"another replica of {service} leading its daemon");
            var took = clock.Elapsed - killedAt;
            var survivor = replicas[service].Single(r => r != victims[service]);
            Assert.True(survivor.OwnsLocalPort(holder.ClientPort), $"{service}'s daemon lock is held by a session that is not {survivor.ResourceId}'s");
            return (Service: service, Took: took);
        }));
        await sending;
        var burstTook = clock.Elapsed;
        foreach (var failure in burst.Failures)
        {
            output.WriteLine($"resent after {(failure.At - killedAt).TotalSeconds:+0.00;-0.00} s from the kill: {failure.Request}: {failure.Error}");
        }

        foreach (var (service, took) in takeovers)
        {
            output.WriteLine($"{service}: the other replica held the daemon lock {took.TotalMilliseconds:0} ms after the SIGKILL");
        }

        // Then every patient gets one invitation email and one text, each recorded once as sent
        var deliveries = await Eventually.GetAsync(async () =>
        {
            var all = new Dictionary<string, List<JsonElement>>();
            foreach (var patient in patients)
            {
                var list = await staff.GetFromJsonAsync<List<JsonElement>>($"/api/patients/{patient.Id}/portal/deliveries");
                if (list is null || list.Count < 2 || list.Any(d => d.GetProperty("state").GetString() != "Sent"))
                {
                    return null;
                }

                all[patient.Id] = list;
            }

            return all;
        }, Patience, "every invitation email and text sent");
        var settled = clock.Elapsed;
        foreach (var patient in patients)
        {
            var channels = deliveries[patient.Id].Select(d => d.GetProperty("channel").GetString()).Order().ToList();
            Assert.Equal(["Email", "Sms"], channels);
        }

        // An email is one message, whatever the kill did: each copy the mail server got carries the Message-ID of the
        // patient's one delivery. SMTP cannot take a message back, so a send the killed replica finished but had not
        // yet recorded is made again by the survivor once its lease ends: the same message again (mail clients show
        // copies of one Message-ID once), at most one per send the killed replica had in flight. Texts go with the
        // delivery id as the provider's idempotency key, so the provider keeps one.
        var mail = await platform.Mail.ReadAsync(m => patients.Any(p => m.To.Any(to => to.Contains(p.Email, StringComparison.OrdinalIgnoreCase))), count: 1000);
        var texts = await platform.Sms.ReadAsync();
        var resent = new List<string>();
        foreach (var patient in patients)
        {
            var email = deliveries[patient.Id].Single(d => d.GetProperty("channel").GetString() == "Email");
            var copies = mail.Where(m => m.To.Any(to => to.Contains(patient.Email, StringComparison.OrdinalIgnoreCase))).ToList();
            Assert.NotEmpty(copies);
            Assert.All(copies, copy => Assert.StartsWith($"<{email.GetProperty("deliveryId").GetGuid():N}@", copy.MessageId, StringComparison.Ordinal));
            Assert.Contains("token=", copies[0].Text, StringComparison.Ordinal);
            Assert.All(copies, copy => Assert.Equal(copies[0].Text, copy.Text));
            if (copies.Count > 1)
            {
                resent.Add($"{patient.Email}: {copies.Count} copies of one message, recorded sent at attempt {email.GetProperty("attempts").GetInt32()}");
                Assert.True(email.GetProperty("attempts").GetInt32() > 1, $"{patient.Email} got {copies.Count} copies from a single attempt");
            }

            Assert.Single(texts, t => t.To == patient.Phone);
        }

        output.WriteLine($"emails sent again by the surviving replica after its lease (the killed one's unrecorded sends): {resent.Count}");
        resent.ForEach(output.WriteLine);
        Assert.True(resent.Count <= TwoReplicaPlatform.MaxParallelSends, $"{resent.Count} emails resent; the killed replica had at most {TwoReplicaPlatform.MaxParallelSends} in flight");

        // And each chart says Invited, with one invitation in its history, delivered once by email and once by text
        foreach (var patient in patients)
        {
            var chart = await staff.GetFromJsonAsync<JsonElement>($"/api/patients/{patient.Id}/portal");
            Assert.Equal("Invited", chart.GetProperty("status").GetString());
            var history = (await staff.GetFromJsonAsync<JsonElement>($"/api/patients/{patient.Id}/portal/history")).GetProperty("entries").EnumerateArray().ToList();
            Assert.Single(history, e => e.GetProperty("type").GetString() == "InvitationIssued");
            var delivered = history.Where(e => e.GetProperty("type").GetString() == "InvitationDelivered").Select(e => e.GetProperty("details").GetProperty("channel").GetString()).Order().ToList();
            Assert.Equal(["Email", "Sms"], delivered);
            Assert.DoesNotContain(history, e => e.GetProperty("type").GetString() == "InvitationDeliveryFailed");
        }

        // And the practice dashboard counts each patient once
        var dashboard = await staff.GetFromJsonAsync<JsonElement>("/api/practice/portal-statuses?status=Invited&pageSize=500");
        Assert.Equal(Patients, dashboard.GetProperty("counts").GetProperty("Invited").GetInt32());
        Assert.Equal(Patients, dashboard.GetProperty("total").GetInt32());
        Assert.Equal(patients.Select(p => p.Id).Order(), dashboard.GetProperty("patients").EnumerateArray().Select(p => p.GetProperty("patientId").GetString()).Order());

        // And no table holds a second registration or delivery for one invitation
        Assert.Empty(await DuplicatesAsync(leaders, "identity-verification", "mt_doc_registration", "InvitationId"));
        Assert.Empty(await DuplicatesAsync(leaders, "notification", "mt_doc_delivery", "InvitationId", "Kind", "Channel"));

        watching.Cancel();
        foreach (var line in await states)
        {
            output.WriteLine(line);
        }

        output.WriteLine($"burst of {Patients} done {burstTook.TotalSeconds:0.0} s from its start; every email and text sent by {settled.TotalSeconds:0.0} s; {burst.Failures.Count} requests sent again");
    }

    /// <summary>
    /// A few reads through the gateway to every service, so that each replica has compiled its request path before
    /// the seed (whose requests give up after 30 s; a cold replica on 2 busy cores can take that long).
    /// </summary>
    private async Task WarmUpAsync()
    {
        using var portal = new PortalClient(platform);
        using var http = new HttpClient { BaseAddress = platform.GatewayAddress, Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await portal.StaffTokenAsync("admin"));
        string[] reads = ["/api/practice/portal-statuses", "/api/patients/warm-up/portal", "/api/patients/warm-up/portal/deliveries", "/api/practice/webhooks", "/portal/"];
        var clock = Stopwatch.StartNew();
        for (var round = 0; round < 4; round++)
        {
            await Task.WhenAll(reads.Select(async path => (await http.GetAsync(path)).Dispose()));
        }

        output.WriteLine($"warm-up: {4 * reads.Length} reads in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>The AppHost's demo seed through the gateway: staff, and patients in each portal status.</summary>
    private async Task SeedStoryAsync()
    {
        var log = new ConcurrentQueue<string>();
        await DemoSeed.RunAsync(platform.GatewayAddress, platform.Mail, platform.Sms, log.Enqueue, CancellationToken.None);
        Assert.DoesNotContain(log, l => l.StartsWith("demo seed failed", StringComparison.Ordinal));
        using var admin = new HttpClient { BaseAddress = platform.GatewayAddress };
        var token = (await (await admin.PostAsJsonAsync("/dev/token", new { practiceId = DemoSeed.PracticeId, userId = "alex.admin", name = "Alex Admin", role = "admin" }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        await Eventually.TrueAsync(async () =>
        {
            var counts = (await admin.GetFromJsonAsync<JsonElement>("/api/practice/portal-statuses")).GetProperty("counts");
            return new[] { "NotInvited", "Invited", "VerificationLocked", "Enrolled", "AccessRevoked" }.All(s => counts.GetProperty(s).GetInt32() == 1);
        }, Patience, "the demo practice with one patient in each status");
        output.WriteLine(string.Join('\n', log));
    }

    /// <summary>
    /// Values of the JSON fields that more than one row of a Marten document table shares, among the rows where the
    /// first field is set.
    /// </summary>
    private static async Task<List<string>> DuplicatesAsync(DaemonLeaders leaders, string service, string table, params string[] fields)
    {
        await using var connection = await leaders.OpenAsync(service);
        await using var find = new NpgsqlCommand("SELECT table_schema FROM information_schema.tables WHERE table_name = @table", connection);
        find.Parameters.AddWithValue("table", table);
        var schema = (string?)await find.ExecuteScalarAsync() ?? throw new InvalidOperationException($"no table {table} in {service}'s database");
        var values = fields.Select(f => $"coalesce(data->>'{f}', data->>'{char.ToLowerInvariant(f[0])}{f[1..]}')").ToList();
        await using var query = new NpgsqlCommand(
            $"SELECT concat_ws('/', {string.Join(", ", values)}), count(*) FROM {schema}.{table} WHERE {values[0]} IS NOT NULL GROUP BY 1 HAVING count(*) > 1",
            connection);
        await using var reader = await query.ExecuteReaderAsync();
        var duplicates = new List<string>();
        while (await reader.ReadAsync())
        {
            duplicates.Add($"{reader.GetString(0)} x{reader.GetInt64(1)}");
        }

        return duplicates;
    }

    /// <summary>Every state Aspire reports for the killed replicas from now on: does DCP restart them?</summary>
    private async Task<List<string>> WatchStatesAsync(HashSet<string> resourceIds, Stopwatch clock, CancellationToken cancellationToken)
    {
        var seen = new List<string>();
        try
        {
            await foreach (var update in platform.App.ResourceNotifications.WatchAsync(cancellationToken))
            {
                if (resourceIds.Contains(update.ResourceId))
                {
                    seen.Add($"{clock.Elapsed.TotalSeconds:0.00} s {update.ResourceId}: {update.Snapshot.State?.Text} exit {update.Snapshot.ExitCode} pid {Processes.PidOf(update.Snapshot)} health {update.Snapshot.HealthStatus}");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return seen;
    }
}
