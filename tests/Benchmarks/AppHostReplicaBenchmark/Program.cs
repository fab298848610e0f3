using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using PortalPlatform.AppHostReplicaBenchmark;
using PortalPlatform.Testing;

// Invitation throughput through the real AppHost's gateway with every service run once, then twice (--replicas 1 and
// 2), in one run on the same machine: N patients recorded and invited by concurrent staff clients, timed to "every
// invitation accepted" and to "every invitation email in the mail sink". The one-replica run is the baseline.
// Usage: dotnet run -c Release --project tests/Benchmarks/AppHostReplicaBenchmark -- [invitations=150] [clients=12]
var invitations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 150;
var clients = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 12;

var results = new List<Run>();
foreach (var replicas in new[] { 1, 2 })
{
    await using var platform = new BenchmarkPlatform(replicas);
    await platform.InitializeAsync();
    using var staff = new HttpClient { BaseAddress = platform.GatewayAddress, Timeout = TimeSpan.FromMinutes(2) };
    var token = await (await staff.PostAsJsonAsync("/dev/token", new { practiceId = Guid.NewGuid(), userId = "bench", name = "Bench", role = "admin" }))
        .Content.ReadFromJsonAsync<JsonElement>();
    staff.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("accessToken").GetString());

    // Warm every replica's request and delivery path first (not timed).
    await InviteAsync(platform, staff, "warm", 4 * clients, clients);
    var run = await InviteAsync(platform, staff, "timed", invitations, clients);
    results.Add(run with { Replicas = replicas, StartedIn = platform.StartedIn });
    Console.WriteLine($"{replicas} replica(s) of every service: started in {platform.StartedIn.TotalSeconds:F0} s; {run.Accepted:F1} invitations/s accepted, {run.EndToEnd:F1}/s end to end (email in the sink); load average {LoadAverage()}");
}

var (one, two) = (results[0], results[1]);
Console.WriteLine();
Console.WriteLine($"{invitations} invitations per run through the gateway, {clients} concurrent clients, {Environment.ProcessorCount} cores shared by every process");
Console.WriteLine($"{"replicas",8} {"accepted/s",11} {"end-to-end/s",13}");
foreach (var run in results)
{
    Console.WriteLine($"{run.Replicas,8} {run.Accepted,11:F1} {run.EndToEnd,13:F1}");
}

Console.WriteLine($"ratio two/one (baseline: one replica, same run): accepted x{two.Accepted / one.Accepted:F2}, end to end x{two.EndToEnd / one.EndToEnd:F2}");

static async Task<Run> InviteAsync(BenchmarkPlatform platform, HttpClient staff, string batch, int count, int clients)
{
    var clock = Stopwatch.StartNew();
    await Parallel.ForEachAsync(Enumerable.Range(1, count), new ParallelOptions { MaxDegreeOfParallelism = clients }, async (i, _) =>
    {
        var patientId = $"{batch}-{i:D4}";
        using var recorded = await staff.PutAsJsonAsync($"/api/patients/{patientId}", new
        {
            firstName = "Bench", lastName = "Mark", dateOfBirth = "1970-01-01", email = $"{patientId}@bench.test", phone = FictionalPhones.Next(),
        });
        recorded.EnsureSuccessStatusCode();
        using var invited = await staff.PostAsJsonAsync($"/api/patients/{patientId}/portal/invitations", new { });
        invited.EnsureSuccessStatusCode();
    });
    var accepted = clock.Elapsed;
    var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
    while (await EmailsAsync(platform, batch) < count)
    {
        if (DateTime.UtcNow > deadline)
        {
            throw new TimeoutException($"not every {batch} invitation email arrived within 5 minutes");
        }

        await Task.Delay(200);
    }

    return new Run(0, count / accepted.TotalSeconds, count / clock.Elapsed.TotalSeconds, TimeSpan.Zero);
}

// Counts from the summaries only (the predicate declines every message, so no body is fetched).
static async Task<int> EmailsAsync(BenchmarkPlatform platform, string batch)
{
    var count = 0;
    await platform.Mail.ReadAsync(m =>
    {
        count += m.To.Any(to => to.StartsWith(batch + "-", StringComparison.OrdinalIgnoreCase)) ? 1 : 0;
        return false;
    }, count: 5000);
    return count;
}

static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

internal sealed record Run(int Replicas, double Accepted, double EndToEnd, TimeSpan StartedIn);
