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

// Reading a patient's portal status through the gateway, next to the same request straight to Enrollment, in one run.
// Usage: dotnet run -c Release --project tests/Benchmarks/GatewayBenchmark -- [seconds per round=10] [workers=16] [rounds=2]
var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
var workers = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 16;
var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2;

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

Console.WriteLine();
Console.WriteLine($"GET {path} (staff token, JSON with ETag), closed loop, {workers} workers");
Console.WriteLine($"{"round",5} {"target",-22} {"requests",9} {"failed",7} {"req/s",9} {"p50 ms",8} {"p99 ms",8}");
for (var i = 0; i < results.Count; i++)
{
    var r = results[i];
    Console.WriteLine($"{i / 2 + 1,5} {r.Target,-22} {r.Requests,9} {r.Failures,7} {r.RequestsPerSecond,9:F0} {r.P50Ms,8:F2} {r.P99Ms,8:F2}");
}

// Each round's pair ran back to back, so its ratio is the fairest figure on a machine whose load drifts.
var throughputRatios = results.Chunk(2).Select(pair => pair[0].RequestsPerSecond / pair[1].RequestsPerSecond).Order().ToArray();
var p99Ratios = results.Chunk(2).Select(pair => pair[1].P99Ms / pair[0].P99Ms).Order().ToArray();
Console.WriteLine();
Console.WriteLine($"per-round gateway overhead: throughput x{string.Join(", x", throughputRatios.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)))} lower; " +
    $"p99 x{string.Join(", x", p99Ratios.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)))} higher");
Console.WriteLine($"median per-round overhead: throughput x{throughputRatios[throughputRatios.Length / 2]:F2} lower, p99 x{p99Ratios[p99Ratios.Length / 2]:F2} higher");

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
// The last line: the figure of issue 13's goal table, for tests/Benchmarks/run-all.
Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new SortedDictionary<string, double>(StringComparer.Ordinal)
{
    [$"status_read_gateway_vs_direct_conc{workers}_throughput"] = Math.Round(1 / throughputRatios[throughputRatios.Length / 2], 2),
}));
if (results.Any(r => r.Failures > 0))
{
    Console.WriteLine("WARNING: some requests failed; the figures above include them.");
    Environment.ExitCode = 1;
}
