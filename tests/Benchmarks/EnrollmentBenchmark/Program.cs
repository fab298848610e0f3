// Enrollment command throughput and latency against a local PostgreSQL, next to a raw Npgsql single-row insert
// measured in the same run. Not a test: it prints figures.
//   dotnet run -c Release --project tests/Benchmarks/EnrollmentBenchmark [-- --operations 400]
// Uses PORTAL_BENCH_POSTGRES (an admin connection string) when set, else starts a private throwaway PostgreSQL
// (fsync off, the same settings as the tests) and stops it at the end.
using System.Diagnostics;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Inviting;
using PortalPlatform.Enrollment.PortalAccess;
using PortalPlatform.Enrollment.RecordingDemographics;
using PortalPlatform.Enrollment.Revoking;
using PortalPlatform.Enrollment.Settings;
using PortalPlatform.Hosting.Local;

var operations = args.SkipWhile(a => a != "--operations").Skip(1).Select(int.Parse).FirstOrDefault(400);
int[] concurrencies = [1, 8, 32];

LocalPostgres? local = null;
var admin = Environment.GetEnvironmentVariable("PORTAL_BENCH_POSTGRES");
if (string.IsNullOrEmpty(admin))
{
    local = new LocalPostgres(Path.Combine(Path.GetTempPath(), $"enrollment-bench-{Environment.ProcessId}"), Ports.Free(), throwaway: true);
    await local.StartAsync(Console.WriteLine);
    admin = local.ConnectionString();
}

try
{
    var database = $"bench{DateTime.UtcNow:HHmmss}";
    await using (var connection = new NpgsqlConnection(admin))
    {
        await connection.OpenAsync();
        await new NpgsqlCommand($"CREATE DATABASE {database}", connection).ExecuteNonQueryAsync();
    }

    var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = database, MaxPoolSize = 64 }.ConnectionString;
    var builder = Host.CreateApplicationBuilder();
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:enrollmentdb"] = connectionString });
    builder.AddPortalEventStore("enrollment", EnrollmentStore.Configure);
    using var host = builder.Build();
    var store = host.Services.GetRequiredService<IDocumentStore>();
    await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync(); // before the daemon starts, so they do not race on DDL
    await host.StartAsync(); // the async daemon projects the dashboard while commands run, as in the service
    var dataSource = NpgsqlDataSource.Create(connectionString);
    await using (var create = dataSource.CreateCommand("CREATE TABLE baseline (id uuid PRIMARY KEY, body jsonb NOT NULL)"))
    {
        await create.ExecuteNonQueryAsync();
    }

    var practice = Guid.NewGuid();
    var admins = new Actor("bench-admin", "admin");
    var now = DateTimeOffset.UtcNow;

    Console.WriteLine($"Enrollment benchmark: {operations} operations per row, {Environment.ProcessorCount} cores, PostgreSQL {(local is null ? "from PORTAL_BENCH_POSTGRES" : "local throwaway (fsync off)")}");
    Console.WriteLine($"{"operation",-28} {"conc",4} {"ops/s",9} {"p50 ms",8} {"p99 ms",8} {"baseline ops/s",15} {"baseline/op",12}");

    await RunAsync(1, 50, "warm-up", warmUp: true); // JIT, pools, plans

    foreach (var concurrency in concurrencies)
    {
        await RunAsync(concurrency, operations, $"c{concurrency}", warmUp: false);
    }

    async Task RunAsync(int concurrency, int count, string batch, bool warmUp)
    {
        var patients = Enumerable.Range(0, count).Select(i => $"{batch}-{i}").ToArray();
        await using (var session = store.LightweightSession())
        {
            foreach (var patient in patients)
            {
                await PortalAccessStream.DecideAsync(session, practice, patient, null,
                    _ => new RecordDemographics("Ada", "Lovelace", new DateOnly(1980, 12, 10), "ada@example.org", "+15550100", Actor.Ehr, now), default);
            }

            await session.SaveChangesAsync();
        }

        var baseline = await MeasureAsync(patients, concurrency, async _ =>
        {
            await using var insert = dataSource.CreateCommand("INSERT INTO baseline (id, body) VALUES ($1, $2::jsonb)");
            insert.Parameters.Add(new NpgsqlParameter { Value = Guid.NewGuid() });
            insert.Parameters.Add(new NpgsqlParameter { Value = """{"status":"Invited"}""" });
            await insert.ExecuteNonQueryAsync();
        });
        var invite = await MeasureAsync(patients, concurrency, patient => CommandAsync(patient, practiceSettings => new InvitePatient(Guid.CreateVersion7(), null, null, practiceSettings, admins, now)));
        var revoke = await MeasureAsync(patients, concurrency, patient => CommandAsync(patient, _ => new RevokeAccess(RevocationReason.PatientRequest, null, admins, now)));
        if (warmUp)
        {
            return;
        }

        Console.WriteLine($"{"raw Npgsql insert (baseline)",-28} {concurrency,4} {baseline.PerSecond,9:F0} {baseline.P50,8:F2} {baseline.P99,8:F2} {baseline.PerSecond,15:F0} {1.0,12:F2}");
        Console.WriteLine($"{"invite",-28} {concurrency,4} {invite.PerSecond,9:F0} {invite.P50,8:F2} {invite.P99,8:F2} {baseline.PerSecond,15:F0} {baseline.PerSecond / invite.PerSecond,12:F2}");
        Console.WriteLine($"{"revoke",-28} {concurrency,4} {revoke.PerSecond,9:F0} {revoke.P50,8:F2} {revoke.P99,8:F2} {baseline.PerSecond,15:F0} {baseline.PerSecond / revoke.PerSecond,12:F2}");
    }

    // The API's command path without HTTP: load the stream, decide, append with the version check, inline projections, commit.
    async Task CommandAsync(string patient, Func<PracticePortalSettings, PortalAccessCommand> command)
    {
        await using var session = store.LightweightSession();
        var outcome = await PortalAccessStream.DecideAsync(session, practice, patient, null, command, default);
        if (outcome.Decision.Rejected || outcome.Decision.Events.Count == 0)
        {
            throw new InvalidOperationException($"{patient}: {outcome.Decision.Detail}");
        }

        await session.SaveChangesAsync();
    }

    await host.StopAsync();
}
finally
{
    if (local is not null)
    {
        await local.StopAsync();
    }
}

static async Task<Measurement> MeasureAsync(string[] patients, int concurrency, Func<string, Task> operation)
{
    var latencies = new double[patients.Length];
    var next = -1;
    var total = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < patients.Length)
        {
            var started = Stopwatch.GetTimestamp();
            await operation(patients[i]);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
    }));
    total.Stop();
    Array.Sort(latencies);
    return new Measurement(patients.Length / total.Elapsed.TotalSeconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99));
}

static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

internal sealed record Measurement(double PerSecond, double P50, double P99);
