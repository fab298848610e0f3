using Npgsql;
using PortalPlatform.Hosting.ApplicationModel;
using PortalPlatform.Hosting.Local;

namespace PortalPlatform.Hosting.Resources;

/// <summary>The private PostgreSQL node (<see cref="LocalPostgres"/>), kept under the data directory.</summary>
public sealed class PostgresServerResource(string name, LocalPostgres server) : Resource(name), IOrphanCleanup
{
    public LocalPostgres Server { get; } = server;
    public override string Type => "postgres";
    public override IReadOnlyList<ResourceEndpoint> Endpoints => [new("tcp", new Uri($"tcp://127.0.0.1:{Server.Port}"))];

    public override int? ProcessId =>
        File.Exists(Path.Combine(Server.DataDirectory, "postmaster.pid")) &&
        int.TryParse(File.ReadLines(Path.Combine(Server.DataDirectory, "postmaster.pid")).FirstOrDefault(), out var pid) ? pid : null;

    protected internal override Task StartAsync(ResourceContext context, CancellationToken cancellationToken) =>
        Server.StartAsync(line => { Console.Add(line); context.Log(line); }, cancellationToken);

    protected internal override Task StopAsync() => Server.StopAsync();

    protected internal override async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(Server.ConnectionString());
            await connection.OpenAsync(cancellationToken);
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    public string OrphanCleanupCommand() => Server.StopCommandLine().Replace("-m immediate", "-m fast", StringComparison.Ordinal) + " >/dev/null 2>&1";
}

/// <summary>One service's database on the PostgreSQL node; created when missing.</summary>
public sealed class PostgresDatabaseResource(string name, PostgresServerResource parent) : Resource(name), IResourceWithConnectionString
{
    public PostgresServerResource Parent { get; } = parent;
    public override string Type => "database";
    public string ConnectionString => Parent.Server.ConnectionString(Name);

    protected internal override Task StartAsync(ResourceContext context, CancellationToken cancellationToken) =>
        Parent.Server.CreateDatabaseAsync(Name, cancellationToken);

    protected internal override async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync(cancellationToken);
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }
}
