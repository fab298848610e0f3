using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment;
using PortalPlatform.GatewayBenchmark;
using PortalPlatform.Hosting.Local;
using PortalPlatform.ServiceDefaults.Security;
using PortalPlatform.Testing;

// Invitation throughput with one and with two Enrollment replicas, side by side in one run, against the same real
// PostgreSQL and RabbitMQ: N patients invited over HTTP spread round-robin over the replicas, timed until every
// InviteIssued has left through the (single, leader-elected) relay and the dashboard counts them all.
// Usage: dotnet run -c Release --project tests/Benchmarks/ReplicaBenchmark -- [invitations=300] [workers=16] [rounds=2]
var invitations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 300;
var workers = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;
var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2;

var results = new List<(int Replicas, double Accepted, double EndToEnd)>();
for (var round = 0; round < rounds; round++)
{
    // Alternate, so drift on a shared machine hits both alike; every run gets its own database and vhost.
    foreach (var replicas in new[] { 1, 2 })
    {
        results.Add(await RunAsync(replicas, round == 0 ? 30 : 0));
        var last = results[^1];
        Console.WriteLine($"round {round + 1}, {replicas} replica(s): {last.Accepted:F0} invitations/s accepted, {last.EndToEnd:F0}/s end to end");
    }
}

Console.WriteLine();
Console.WriteLine($"{invitations} invitations per run, {workers} concurrent clients, {Environment.ProcessorCount} cores (all replicas share them)");
Console.WriteLine($"{"replicas",8} {"accepted/s",11} {"end-to-end/s",13}");
foreach (var replicas in new[] { 1, 2 })
{
    var runs = results.Where(r => r.Replicas == replicas).ToList();
    Console.WriteLine($"{replicas,8} {runs.Average(r => r.Accepted),11:F0} {runs.Average(r => r.EndToEnd),13:F0}");
}

var baseline = results.Where(r => r.Replicas == 1).ToList();
var two = results.Where(r => r.Replicas == 2).ToList();
Console.WriteLine($"ratio two/one: accepted x{two.Average(r => r.Accepted) / baseline.Average(r => r.Accepted):F2}, end to end x{two.Average(r => r.EndToEnd) / baseline.Average(r => r.EndToEnd):F2}");

async Task<(int, double, double)> RunAsync(int replicas, int warmUp)
{
    var servers = new IsolatedServers();
    await servers.InitializeAsync();
    var issued = new ConcurrentDictionary<Guid, bool>();
    var bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
    {
        rabbit.Host(new Uri(servers.RabbitMqConnectionString));
        rabbit.ReceiveEndpoint("bench-observer", e => e.Handler<InviteIssued>(c => { issued.TryAdd(c.Message.InvitationId, true); return Task.CompletedTask; }));
    });
    await bus.StartAsync();
    var hosts = new List<BenchmarkHost<EnrollmentService>>();
    try
    {
        // As deploy/ runs them: the schema applied at start-up (replicas creating tables on first use race on the DDL).
        var configuration = servers.ConfigurationFor(EnrollmentService.Name);
        configuration[PortalEventStoreExtensions.ApplySchemaOnStartupKey] = "true";
        for (var i = 0; i < replicas; i++)
        {
            hosts.Add(new BenchmarkHost<EnrollmentService>("Enrollment", configuration, Ports.Free()).Start());
        }

        var practice = Guid.NewGuid();
        var token = servers.StaffTokens.Issue(new StaffUser(practice, "bench", "Benchmark", StaffRoles.Admin));
        var clients = hosts.Select(h =>
        {
            var client = new HttpClient { BaseAddress = h.Address };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return client;
        }).ToArray();
        await Eventually.TrueAsync(async () => (await Task.WhenAll(clients.Select(c => c.GetAsync("/health")))).All(r => r.IsSuccessStatusCode), TimeSpan.FromSeconds(60), "replicas healthy");

        // Demographics first (not timed), then the warm-up's invitations, then the timed ones.
        var patients = Enumerable.Range(0, warmUp + invitations).Select(i => $"P-{i}").ToArray();
        await ForEachAsync(patients, (client, patient) => client.PutAsJsonAsync($"/api/patients/{patient}", new
        {
            firstName = "Ada", lastName = "Lovelace", dateOfBirth = "1980-12-10", email = "ada@example.org", phone = "+12015550100",
        }));
        await ForEachAsync(patients[..warmUp], Invite);
        await Eventually.TrueAsync(() => issued.Count == warmUp, TimeSpan.FromSeconds(120), "warm-up relayed");

        var timer = Stopwatch.StartNew();
        await ForEachAsync(patients[warmUp..], Invite);
        var accepted = invitations / timer.Elapsed.TotalSeconds;
        await Eventually.TrueAsync(async () =>
        {
            if (issued.Count < warmUp + invitations)
            {
                return false;
            }

            var dashboard = JsonDocument.Parse(await clients[0].GetStringAsync("/api/practice/portal-statuses")).RootElement;
            return dashboard.GetProperty("counts").GetProperty("Invited").GetInt32() == warmUp + invitations;
        }, TimeSpan.FromMinutes(5), "every invitation relayed and on the dashboard");
        return (replicas, accepted, invitations / timer.Elapsed.TotalSeconds);

        async Task ForEachAsync(string[] items, Func<HttpClient, string, Task<HttpResponseMessage>> call)
        {
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < items.Length)
                {
                    var response = await call(clients[i % clients.Length], items[i]);
                    response.EnsureSuccessStatusCode();
                }
            }));
        }

        static Task<HttpResponseMessage> Invite(HttpClient client, string patient) => client.PostAsJsonAsync($"/api/patients/{patient}/portal/invitations", new { });
    }
    finally
    {
        foreach (var host in hosts)
        {
            await host.DisposeAsync();
        }

        await bus.StopAsync();
    }
}
