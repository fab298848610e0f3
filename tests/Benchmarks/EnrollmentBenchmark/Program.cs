// Enrollment command throughput and latency against a local PostgreSQL, next to a raw Npgsql single-row insert
// measured in the same run. Not a test: it prints figures.
//   dotnet run -c Release --project tests/Benchmarks/EnrollmentBenchmark [-- --operations 400 --concurrencies 1,8,32 --practice-sizes 1000,100000 --rebuild-patients 20000 --parts commands,rebuild,dashboard]
// The last line is one JSON object of the ratios and latencies (tests/Benchmarks/run-all merges it with the others).
// Uses PORTAL_BENCH_POSTGRES (an admin connection string) when set, else starts a private throwaway PostgreSQL
// (fsync off, the same settings as the tests) and stops it at the end.
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Dashboard;
using PortalPlatform.Enrollment.Inviting;
using PortalPlatform.Enrollment.PortalAccess;
using PortalPlatform.Enrollment.RecordingDemographics;
using PortalPlatform.Enrollment.Revoking;
using PortalPlatform.Enrollment.Settings;
using PortalPlatform.Testing;

var operations = args.SkipWhile(a => a != "--operations").Skip(1).Select(int.Parse).FirstOrDefault(400);
var concurrencies = args.SkipWhile(a => a != "--concurrencies").Skip(1).Select(a => a.Split(',').Select(int.Parse).ToArray()).FirstOrDefault([1, 8, 32]);
var practiceSizes = args.SkipWhile(a => a != "--practice-sizes").Skip(1).Select(a => a.Split(',').Select(int.Parse).ToArray()).FirstOrDefault([1_000, 100_000]);

var rebuildPatients = args.SkipWhile(a => a != "--rebuild-patients").Skip(1).Select(int.Parse).FirstOrDefault(20_000);
// Which parts to run (all by default): commands, rebuild, dashboard.
var parts = args.SkipWhile(a => a != "--parts").Skip(1).Select(a => a.Split(',')).FirstOrDefault(["commands", "rebuild", "dashboard"]);

var fromEnvironment = Environment.GetEnvironmentVariable("PORTAL_BENCH_POSTGRES");
// Else the tests' throwaway server (fsync off), run by Aspire from the shared hosting library.
var admin = string.IsNullOrEmpty(fromEnvironment) ? (await TestServers.GetAsync()).PostgresAdminConnectionString : fromEnvironment;

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

    // The same data source, with Npgsql's command log counted: one entry per round trip (a batch is one).
    var roundTrips = new RoundTripCounter();
    builder.Services.AddSingleton(_ => PortalEventStoreExtensions.CreateDataSourceBuilder(connectionString, "enrollmentdb")
        .UseLoggerFactory(LoggerFactory.Create(logging => logging.AddProvider(roundTrips).SetMinimumLevel(LogLevel.Information))).Build());
    using var host = builder.Build();
    var store = host.Services.GetRequiredService<IDocumentStore>();
    await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync(); // before the daemon starts, so they do not race on DDL
    await host.StartAsync(); // the async daemon projects the dashboard while commands run, as in the service
    // The baseline's connections are set up as the service's are (its insert prepared too): the raw floor at its best.
    var dataSource = PortalEventStoreExtensions.CreateDataSourceBuilder(connectionString, "baseline").Build();
    await using (var create = dataSource.CreateCommand("CREATE TABLE baseline (id uuid PRIMARY KEY, body jsonb NOT NULL)"))
    {
        await create.ExecuteNonQueryAsync();
    }

    var practice = Guid.NewGuid();
    var admins = new Actor("bench-admin", "admin");
    var now = DateTimeOffset.UtcNow;

    Console.WriteLine($"Enrollment benchmark: {operations} operations per row, {Environment.ProcessorCount} cores, PostgreSQL {(string.IsNullOrEmpty(fromEnvironment) ? "local throwaway (fsync off)" : "from PORTAL_BENCH_POSTGRES")}");
    Console.WriteLine($"{"operation",-28} {"conc",4} {"ops/s",9} {"p50 ms",8} {"p99 ms",8} {"baseline ops/s",15} {"baseline/op",12} {"CPU ms/op: here",16} {"postgres",9}");

    var figures = new SortedDictionary<string, double>(StringComparer.Ordinal);
    if (parts.Contains("commands"))
    {
        await RunAsync(1, 50, "warm-up", warmUp: true); // JIT, pools, plans

        // Round trips of one command, counted on its own async flow (the daemon's polling is not counted).
        var invitesTrips = await roundTrips.CountAsync(() => CommandAsync("warm-up-0", s => new InvitePatient(Guid.CreateVersion7(), null, null, s, admins, now)));
        var revokeTrips = await roundTrips.CountAsync(() => CommandAsync("warm-up-0", s => new RevokeAccess(RevocationReason.PatientRequest, null, admins, now)));
        Console.WriteLine($"PostgreSQL round trips per command: invite {invitesTrips}, revoke {revokeTrips} (a raw insert: 1)");
        figures["invite_round_trips"] = invitesTrips;
        figures["revoke_round_trips"] = revokeTrips;

        foreach (var concurrency in concurrencies)
        {
            await RunAsync(concurrency, operations, $"c{concurrency}", warmUp: false);
        }
    }

    async Task RunAsync(int concurrency, int count, string batch, bool warmUp)
    {
        var patients = Enumerable.Range(0, count).Select(i => $"{batch}-{i}").ToArray();
        await using (var session = store.LightweightSession())
        {
            foreach (var patient in patients)
            {
                await PortalAccessStream.DecideAsync(session, practice, patient, null,
                    _ => new RecordDemographics("Ada", "Lovelace", new DateOnly(1980, 12, 10), "ada@example.org", "+12015550100", Actor.Ehr, now), default);
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

        Console.WriteLine($"{"raw Npgsql insert (baseline)",-28} {concurrency,4} {baseline.PerSecond,9:F0} {baseline.P50,8:F2} {baseline.P99,8:F2} {baseline.PerSecond,15:F0} {1.0,12:F2} {baseline.CpuHereMs,16:F3} {baseline.CpuPostgresMs,9:F3}");
        Console.WriteLine($"{"invite",-28} {concurrency,4} {invite.PerSecond,9:F0} {invite.P50,8:F2} {invite.P99,8:F2} {baseline.PerSecond,15:F0} {baseline.PerSecond / invite.PerSecond,12:F2} {invite.CpuHereMs,16:F3} {invite.CpuPostgresMs,9:F3}");
        Console.WriteLine($"{"revoke",-28} {concurrency,4} {revoke.PerSecond,9:F0} {revoke.P50,8:F2} {revoke.P99,8:F2} {baseline.PerSecond,15:F0} {baseline.PerSecond / revoke.PerSecond,12:F2} {revoke.CpuHereMs,16:F3} {revoke.CpuPostgresMs,9:F3}");
        figures[$"invite_vs_raw_insert_conc{concurrency}"] = Math.Round(baseline.PerSecond / invite.PerSecond, 2);
        figures[$"revoke_vs_raw_insert_conc{concurrency}"] = Math.Round(baseline.PerSecond / revoke.PerSecond, 2);
    }

    if (parts.Contains("rebuild"))
    {
        // Rebuild: every Enrollment projection (the one inline aggregate) from the event log, as ops would after a change.
        // A log of rebuildPatients more patients (demographics + invitation each) is appended first, in sessions of
        // 1,000 streams, so the rate is not the daemon's fixed start-up cost over a few events.
        var rebuildPractice = Guid.NewGuid();
        for (var start = 0; start < rebuildPatients; start += 1000)
        {
            await using var session = store.LightweightSession();
            for (var i = start; i < Math.Min(rebuildPatients, start + 1000); i++)
            {
                var patient = $"R-{i:D7}";
                session.Events.StartStream(PortalAccessStream.IdOf(rebuildPractice, patient),
                    new DemographicsRecorded(rebuildPractice, patient, "Ada", "Lovelace", new DateOnly(1980, 12, 10), "ada@example.org", null, "ehr", now),
                    new InvitationIssued(rebuildPractice, patient, Guid.CreateVersion7(), now, now.AddDays(14), "bench", "Bench", "Ada",
                        new DateOnly(1980, 12, 10), "ada@example.org", null, InvitationTemplate.Invitation, null, PortalStatus.NotInvited));
            }

            await session.SaveChangesAsync();
        }

        long eventCount;
        await using (var query = store.QuerySession())
        {
            eventCount = await query.Events.QueryAllRawEvents().CountAsync();
        }

        // Baseline in the same run: reading every event's body once, raw (the floor of any rebuild).
        var reading = Stopwatch.StartNew();
        await using (var read = dataSource.CreateCommand($"SELECT data FROM {store.Options.Events.DatabaseSchemaName}.mt_events ORDER BY seq_id"))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                reader.GetString(0);
            }
        }

        reading.Stop();
        var daemon = host.Services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase();
        var processor = Process.GetCurrentProcess().TotalProcessorTime;
        var rebuild = Stopwatch.StartNew();
        await daemon.RebuildProjectionAsync(typeof(PortalAccessProjection), TimeSpan.FromMinutes(10), CancellationToken.None);
        await StatusCounts.ResumeAsync(store); // the dashboard's counts, suspended by the rebuild, counted once: part of the rebuild's cost
        rebuild.Stop();
        processor = Process.GetCurrentProcess().TotalProcessorTime - processor;
        await using (var query = store.QuerySession())
        {
            // The rebuilt rows and their counts are all there (a rebuild that skipped work would be fast too).
            var page = await PortalStatusList.ReadAsync(query, rebuildPractice, PortalStatus.Invited, "", 50, default);
            if (page.Total != rebuildPatients || page.Patients.Count != 50)
            {
                throw new InvalidOperationException($"after the rebuild the dashboard counts {page.Total} invited of {rebuildPatients}");
            }
        }

        var rate = eventCount / rebuild.Elapsed.TotalSeconds;
        var rawRate = eventCount / reading.Elapsed.TotalSeconds;
        Console.WriteLine();
        Console.WriteLine($"rebuild of PortalAccessProjection: {eventCount} events in {rebuild.Elapsed.TotalSeconds:F2} s = {rate:F0} events/s; " +
            $"raw read of the same events {rawRate:F0} events/s; rebuild/raw read {rate / rawRate:F3} (this process's CPU meanwhile {processor.TotalSeconds:F2} s, the rest is PostgreSQL and waiting)");
        figures["rebuild_events_per_second"] = Math.Round(rate);
        figures["rebuild_vs_raw_event_read"] = Math.Round(rate / rawRate, 3);
    }

    if (parts.Contains("dashboard"))
    {
        // The dashboard: one page of 50 of one status after a random cursor (any depth), with the practice's counts: the
        // endpoint's own read (PortalStatusList), in practices of two sizes; flat means the page cost does not follow the size.
        // The practices are seeded straight into the projection's table with Marten's bulk COPY (not through the command
        // path: 100,000 commands would take minutes here); the count triggers follow COPY like any insert.
        Console.WriteLine();
        Console.WriteLine($"{"dashboard page of 50 (Invited)",-32} {"patients",9} {"p50 ms",8} {"p99 ms",8} {"raw pk p99",11} {"p99/raw",8}");
        var pageP99 = new List<double>();
        var documentTable = StatusCounts.DocumentTableIn(store.Options.DatabaseSchemaName);
        foreach (var size in practiceSizes)
        {
            var dashboardPractice = Guid.NewGuid();
            var seeded = Enumerable.Range(0, size).Select(i =>
            {
                var patient = $"D-{i:D7}";
                return PortalAccessState.Initial(dashboardPractice, patient) with { Version = 2, Status = PortalStatus.Invited, StatusSince = now, UpdatedAt = now };
            });
            await StatusCounts.EnsureAsync(store); // as the service's first command does: a bulk load opens no session
        var seeding = Stopwatch.StartNew();
        await store.BulkInsertDocumentsAsync(seeded, batchSize: 5_000);
        Console.WriteLine($"(seeded {size} rows by COPY in {seeding.Elapsed.TotalSeconds:F1} s)");
            await using (var vacuum = dataSource.CreateCommand($"VACUUM ANALYZE {documentTable}"))
            {
                await vacuum.ExecuteNonQueryAsync();
            }

            var random = new Random(7);
            var cursors = Enumerable.Range(0, 500).Select(_ => PortalStatusList.Cursor.After($"D-{random.Next(0, size - 50):D7}")).ToArray();
            var page = await MeasureAsync(cursors, 1, async cursor =>
            {
                await using var query = store.QuerySession();
                PortalStatusList.Cursor.TryRead(cursor, out var after);
                var read = await PortalStatusList.ReadAsync(query, dashboardPractice, PortalStatus.Invited, after, 50, default);
                if (read.Patients.Count != 50 || read.Counts[nameof(PortalStatus.Invited)] != size)
                {
                    throw new InvalidOperationException($"the dashboard page came back with {read.Patients.Count} rows and {read.Counts[nameof(PortalStatus.Invited)]} invited");
                }
            });
            // Baseline in the same run: one raw primary-key read of one row of the same table.
            var ids = Enumerable.Range(0, 500).Select(_ => PortalAccessStream.IdOf(dashboardPractice, $"D-{random.Next(0, size):D7}").ToString()).ToArray();
            var raw = await MeasureAsync(ids, 1, async id =>
            {
                await using var read = dataSource.CreateCommand($"SELECT data FROM {documentTable} WHERE id = $1");
                read.Parameters.Add(new NpgsqlParameter { Value = Guid.Parse(id) });
                await read.ExecuteScalarAsync();
            });
            Console.WriteLine($"{"",-32} {size,9} {page.P50,8:F2} {page.P99,8:F2} {raw.P99,11:F2} {page.P99 / raw.P99,8:F2}");
            pageP99.Add(page.P99);
            figures[$"status_list_page50_p99_ms_practice_{size}"] = Math.Round(page.P99, 2);
            figures[$"status_list_page50_p99_vs_raw_pk_read_practice_{size}"] = Math.Round(page.P99 / raw.P99, 2);
        }

        figures["status_list_page50_p99_growth_largest_vs_smallest_practice"] = Math.Round(pageP99[^1] / pageP99[0], 2);
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
    Console.WriteLine(JsonSerializer.Serialize(figures));
}

static async Task<Measurement> MeasureAsync(string[] patients, int concurrency, Func<string, Task> operation)
{
    var latencies = new double[patients.Length];
    var next = -1;
    var cpu = Cpu.Now();
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
    var used = Cpu.Now() - cpu;
    Array.Sort(latencies);
    return new Measurement(patients.Length / total.Elapsed.TotalSeconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99),
        used.Here.TotalMilliseconds / patients.Length, used.Postgres.TotalMilliseconds / patients.Length);
}

static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

/// <param name="CpuHereMs">CPU of this process per operation (the client, Marten, Npgsql; the daemon's polls too).</param>
/// <param name="CpuPostgresMs">CPU of every local PostgreSQL process per operation (0 for a server elsewhere).</param>
internal sealed record Measurement(double PerSecond, double P50, double P99, double CpuHereMs, double CpuPostgresMs);

/// <summary>CPU used so far by this process and by the machine's PostgreSQL processes (Linux /proc; elsewhere 0).</summary>
internal readonly record struct Cpu(TimeSpan Here, TimeSpan Postgres)
{
    public static Cpu Now() =>
        new(Process.GetCurrentProcess().TotalProcessorTime, ProcessCpu.OfProcesses(process => ProcessCpu.NameOf(process) == "postgres").Ran);

    public static Cpu operator -(Cpu a, Cpu b) => new(a.Here - b.Here, a.Postgres - b.Postgres);
}

/// <summary>Counts Npgsql's "command/batch executed" log entries on the flow that asked for it.</summary>
internal sealed class RoundTripCounter : ILoggerProvider
{
    private readonly AsyncLocal<StrongBox<int>?> _current = new();

    public async Task<int> CountAsync(Func<Task> operation)
    {
        var box = new StrongBox<int>();
        _current.Value = box;
        try
        {
            await operation();
        }
        finally
        {
            _current.Value = null;
        }

        return box.Value;
    }

    public ILogger CreateLogger(string categoryName) => new Counter(this, categoryName == "Npgsql.Command");

    public void Dispose()
    {
    }

    private sealed class Counter(RoundTripCounter owner, bool counts) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => counts;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (counts && owner._current.Value is { } box && formatter(state, exception).Contains("execution completed", StringComparison.OrdinalIgnoreCase))
            {
                Interlocked.Increment(ref box.Value);
            }
        }
    }
}
