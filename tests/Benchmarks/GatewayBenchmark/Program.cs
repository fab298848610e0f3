using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using PortalPlatform.Enrollment;
using PortalPlatform.Gateway;
using PortalPlatform.Gateway.Routing;
using PortalPlatform.GatewayBenchmark;
using PortalPlatform.Hosting.Local;
using PortalPlatform.ServiceDefaults.Security;
using PortalPlatform.Testing;

// Two paths through the gateway, each next to its baseline in the same run: reading a patient's portal status (vs the
// same request straight to Enrollment), and inviting a patient over HTTP (vs the smallest ASP.NET Core endpoint doing
// one raw insert into the same database).
// Usage: dotnet run -c Release --project tests/Benchmarks/GatewayBenchmark -- [seconds per round=10] [workers=16] [rounds=2] [invitations per round=400]
var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
var workers = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;
var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2;
var invitations = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 400;
const int InviteWorkers = 8;

var servers = new IsolatedServers();
await servers.InitializeAsync();
Console.WriteLine($"servers: {servers.Servers.Source}; {Environment.ProcessorCount} cores; {workers} workers; {rounds} x {seconds} s per target");

var enrollmentPort = Ports.Free();
await using var enrollment = new BenchmarkHost<EnrollmentService>("Enrollment", servers.ConfigurationFor(EnrollmentService.Name), enrollmentPort).Start();
var gatewaySettings = servers.ConfigurationFor(GatewayService.Name);
gatewaySettings[$"services:{ServiceRoutes.Enrollment}:http:0"] = enrollment.Address.ToString().TrimEnd('/');
await using var gateway = new BenchmarkHost<GatewayService>("Gateway", gatewaySettings, Ports.Free()).Start();

var token = servers.StaffTokens.Issue(new StaffUser(Guid.NewGuid(), "benchmark", "Benchmark", StaffRoles.Staff));
var patientId = "bench-1";
using (var admin = new HttpClient { BaseAddress = gateway.Address })
{
    admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    var recorded = await admin.PutAsJsonAsync($"/api/patients/{patientId}", new
    {
        firstName = "Bench", lastName = "Mark", dateOfBirth = "1980-01-01", email = "bench@example.test", phone = "+12015550100",
    });
    recorded.EnsureSuccessStatusCode();
}

var path = $"/api/patients/{patientId}/portal";
var direct = new Uri(enrollment.Address, path);
var proxied = new Uri(gateway.Address, path);

// Warm-up until tiered JIT settles: connection pools, Marten's queries, YARP's pipeline (throughput kept rising with 2 s).
for (var i = 0; i < 3; i++)
{
    await LoadRun.RunAsync("warm-up", direct, token, workers, TimeSpan.FromSeconds(3));
    await LoadRun.RunAsync("warm-up", proxied, token, workers, TimeSpan.FromSeconds(3));
}

var results = new List<LoadResult>();
for (var round = 0; round < rounds; round++)
{
    // Alternate the targets so drift on a shared machine hits both alike.
    results.Add(await LoadRun.RunAsync("direct to Enrollment", direct, token, workers, TimeSpan.FromSeconds(seconds)));
    results.Add(await LoadRun.RunAsync("through the gateway", proxied, token, workers, TimeSpan.FromSeconds(seconds)));
}

PrintRounds($"GET {path} (staff token, JSON with ETag), closed loop, {workers} workers", results);

// Each round's pair ran back to back, so its ratio is the fairest figure on a machine whose load drifts.
var throughputRatios = PerRound(results, (baseline, path) => baseline.RequestsPerSecond / path.RequestsPerSecond);
var p99Ratios = PerRound(results, (baseline, path) => path.P99Ms / baseline.P99Ms);
Console.WriteLine();
Console.WriteLine($"per-round gateway overhead: throughput x{string.Join(", x", throughputRatios.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)))} lower; " +
    $"p99 x{string.Join(", x", p99Ratios.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)))} higher");
Console.WriteLine($"median per-round overhead: throughput x{Median(throughputRatios):F2} lower, p99 x{Median(p99Ratios):F2} higher");

double Mean(string target, Func<LoadResult, double> pick) => results.Where(r => r.Target == target).Average(pick);
var directRps = Mean("direct to Enrollment", r => r.RequestsPerSecond);
var gatewayRps = Mean("through the gateway", r => r.RequestsPerSecond);
var directP99 = Mean("direct to Enrollment", r => r.P99Ms);
var gatewayP99 = Mean("through the gateway", r => r.P99Ms);
Console.WriteLine();
Console.WriteLine($"mean direct:  {directRps,8:F0} req/s  p99 {directP99:F2} ms");
Console.WriteLine($"mean gateway: {gatewayRps,8:F0} req/s  p99 {gatewayP99:F2} ms");
Console.WriteLine($"gateway overhead: throughput x{directRps / gatewayRps:F2} lower, p99 x{gatewayP99 / directP99:F2} higher " +
    "(load generator, gateway and Enrollment share the same cores)");

// Inviting over HTTP: POST /api/patients/{id}/portal/invitations through the gateway (staff token checked twice, the
// command path in Enrollment, its inline projections and outbox in one commit), each on a patient whose demographics
// were recorded beforehand (not timed), next to POST /raw/{id} on the minimal endpoint, alternating per round.
var practice = Guid.NewGuid();
var adminToken = servers.StaffTokens.Issue(new StaffUser(practice, "benchmark-admin", "Benchmark Admin", StaffRoles.Admin));
await using var minimal = await MinimalInsertEndpoint.StartAsync(servers.DatabaseConnectionString, Ports.Free());
string Patient(string round, int i) => $"inv-{round}-{i:D5}";
var inviteRounds = new[] { "warm" }.Concat(Enumerable.Range(1, rounds).Select(r => r.ToString(CultureInfo.InvariantCulture))).ToArray();
await LoadRun.RunCountAsync("demographics (not timed)", adminToken, InviteWorkers, inviteRounds.Length * invitations, i =>
    new HttpRequestMessage(HttpMethod.Put, new Uri(gateway.Address, $"/api/patients/{Patient(inviteRounds[i / invitations], i % invitations)}"))
    {
        Content = JsonContent.Create(new { firstName = "Bench", lastName = "Mark", dateOfBirth = "1980-01-01", email = $"inv{i}@example.test" }),
    });

HttpRequestMessage Invite(string round, int i) =>
    new(HttpMethod.Post, new Uri(gateway.Address, $"/api/patients/{Patient(round, i)}/portal/invitations")) { Content = JsonContent.Create(new { }) };
HttpRequestMessage Raw(string round, int i) => new(HttpMethod.Post, new Uri(minimal.Address, $"/raw/{round}-{i:D5}"));

await LoadRun.RunCountAsync("warm-up", adminToken, InviteWorkers, invitations, i => Raw("warm", i));
await LoadRun.RunCountAsync("warm-up", adminToken, InviteWorkers, invitations, i => Invite("warm", i));
var inviteResults = new List<LoadResult>();
foreach (var round in inviteRounds.Skip(1))
{
    inviteResults.Add(await LoadRun.RunCountAsync("minimal endpoint, raw insert", adminToken, InviteWorkers, invitations, i => Raw(round, i)));
    inviteResults.Add(await LoadRun.RunCountAsync("invite through the gateway", adminToken, InviteWorkers, invitations, i => Invite(round, i)));
}

PrintRounds($"POST over HTTP, closed loop, {InviteWorkers} workers, {invitations} a round", inviteResults);

var inviteRatios = PerRound(inviteResults, (baseline, path) => baseline.RequestsPerSecond / path.RequestsPerSecond);
Console.WriteLine($"invitation through the gateway vs the minimal endpoint's raw insert: x{Median(inviteRatios):F2} the time per request " +
    $"(per round: x{string.Join(", x", inviteRatios.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)))})");

// The last line: the figures of issue 13's goal table, for tests/Benchmarks/run-all.
Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new SortedDictionary<string, double>(StringComparer.Ordinal)
{
    [$"status_read_gateway_vs_direct_conc{workers}_throughput"] = Math.Round(1 / Median(throughputRatios), 2),
    [$"invite_through_gateway_http_vs_minimal_endpoint_raw_insert_conc{InviteWorkers}"] = Math.Round(Median(inviteRatios), 2),
}));
if (results.Concat(inviteResults).Any(r => r.Failures > 0))
{
    Console.WriteLine("WARNING: some requests failed; the figures above include them.");
    Environment.ExitCode = 1;
}

// Each round's ratio, its baseline and its path having run back to back, in ascending order.
static double[] PerRound(IReadOnlyList<LoadResult> results, Func<LoadResult, LoadResult, double> ratio) =>
    results.Chunk(2).Select(pair => ratio(pair[0], pair[1])).Order().ToArray();

// The middle of the sorted per-round ratios (with two rounds, the larger).
static double Median(double[] sorted) => sorted[sorted.Length / 2];

// One table of rounds, each round a baseline and its path run back to back.
static void PrintRounds(string title, IReadOnlyList<LoadResult> results)
{
    var width = results.Max(r => r.Target.Length);
    Console.WriteLine();
    Console.WriteLine(title);
    Console.WriteLine($"{"round",5} {"target".PadRight(width)} {"requests",9} {"failed",7} {"req/s",9} {"p50 ms",8} {"p99 ms",8}");
    for (var i = 0; i < results.Count; i++)
    {
        var r = results[i];
        Console.WriteLine($"{i / 2 + 1,5} {r.Target.PadRight(width)} {r.Requests,9} {r.Failures,7} {r.RequestsPerSecond,9:F0} {r.P50Ms,8:F2} {r.P99Ms,8:F2}");
    }
}
