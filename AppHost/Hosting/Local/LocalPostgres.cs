using Npgsql;

namespace PortalPlatform.Hosting.Local;

/// <summary>
/// A private PostgreSQL cluster: its own data directory, loopback only, its own port, trust authentication for the
/// local user <c>postgres</c>. Installed from Debian's packages when missing; initialised on first start; reused
/// when already running from the same directory.
/// </summary>
public sealed class LocalPostgres(string dataDirectory, int port, bool throwaway = false) : IAsyncDisposable
{
    public string DataDirectory { get; } = Path.GetFullPath(dataDirectory);
    public int Port { get; } = port;

    /// <summary>Fast settings for test data (no fsync); never for data a user keeps.</summary>
    public bool Throwaway { get; } = throwaway;

    public string ConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = "postgres",
            Database = database,
            Pooling = true,
        }.ConnectionString;

    public async Task StartAsync(Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        var bin = await EnsureInstalledAsync(log, cancellationToken);
        if (await IsRunningAsync(bin, cancellationToken))
        {
            log?.Invoke($"PostgreSQL already running in {DataDirectory}");
            return;
        }

        Ports.EnsureFree(Port, "PostgreSQL");
        if (!File.Exists(Path.Combine(DataDirectory, "PG_VERSION")))
        {
            Directory.CreateDirectory(DataDirectory);
            await AsOwnerAsync(Path.Combine(bin, "initdb"), ["-D", DataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions"], cancellationToken);
        }

        var settings = $"-p {Port} -k {DataDirectory} -c listen_addresses=127.0.0.1 -c max_connections=400";
        if (Throwaway)
        {
            settings += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        }

        await AsOwnerAsync(Path.Combine(bin, "pg_ctl"), ["-D", DataDirectory, "-w", "-t", "60", "-l", Path.Combine(DataDirectory, "server.log"), "-o", settings, "start"], cancellationToken);
        log?.Invoke($"PostgreSQL listening on 127.0.0.1:{Port}");
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        var bin = FindBinaries();
        if (bin is null || !File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            return;
        }

        await AsOwnerAsync(Path.Combine(bin, "pg_ctl"), ["-D", DataDirectory, "-m", Throwaway ? "immediate" : "fast", "-w", "stop"], cancellationToken, check: false);
    }

    public async Task CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", name);
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name.Replace("\"", "", StringComparison.Ordinal)}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>The stop command, for a watchdog that outlives this process.</summary>
    public string StopCommandLine() =>
        FindBinaries() is { } bin ? OwnerPrefix() + $"{Path.Combine(bin, "pg_ctl")} -D '{DataDirectory}' -m immediate -w stop" : "true";

    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task<bool> IsRunningAsync(string bin, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
        {
            return false;
        }

        var status = await AsOwnerAsync(Path.Combine(bin, "pg_ctl"), ["-D", DataDirectory, "status"], cancellationToken, check: false);
        return status.Contains("server is running", StringComparison.Ordinal);
    }

    private static async Task<string> EnsureInstalledAsync(Action<string>? log, CancellationToken cancellationToken)
    {
        if (FindBinaries() is { } bin)
        {
            return bin;
        }

        await DebianPackages.EnsureAsync(new Dictionary<string, string> { ["postgresql"] = "/usr/bin/psql" }, log, cancellationToken);
        return FindBinaries() ?? throw new InvalidOperationException("PostgreSQL server binaries not found under /usr/lib/postgresql after installing.");
    }

    private static string? FindBinaries() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(dir => Path.Combine(dir, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "pg_ctl")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;

    // PostgreSQL refuses to run as root: as root, the cluster belongs to the system user "postgres".
    private static bool IsRoot => Environment.UserName == "root";

    private static string OwnerPrefix() => IsRoot ? "runuser -u postgres -- " : "";

    private async Task<string> AsOwnerAsync(string program, string[] arguments, CancellationToken cancellationToken, bool check = true)
    {
        if (!IsRoot)
        {
            return await CommandLine.RunAsync(program, arguments, timeout: TimeSpan.FromMinutes(2), check: check, cancellationToken: cancellationToken);
        }

        await CommandLine.RunAsync("chown", ["-R", "postgres:postgres", DataDirectory], cancellationToken: cancellationToken);
        return await CommandLine.RunAsync("runuser", ["-u", "postgres", "--", program, .. arguments], timeout: TimeSpan.FromMinutes(2), check: check, cancellationToken: cancellationToken);
    }
}
