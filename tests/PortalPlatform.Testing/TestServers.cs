using DotNet.Testcontainers.Configurations;
using Npgsql;
using PortalPlatform.Hosting.Local;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace PortalPlatform.Testing;

/// <summary>
/// The real PostgreSQL and RabbitMQ every integration test talks to, one pair per test process, found in this
/// order: connection strings from the environment (<c>PORTAL_TEST_POSTGRES</c>, <c>PORTAL_TEST_RABBITMQ</c>,
/// <c>PORTAL_TEST_RABBITMQ_MANAGEMENT</c>), else Testcontainers when a Docker engine answers, else private local
/// nodes (the same <see cref="LocalPostgres"/> and <see cref="LocalRabbitMq"/> the AppHost runs) that a watchdog
/// stops when the test process ends.
/// </summary>
public sealed class TestServers
{
    private static readonly Lazy<Task<TestServers>> Shared = new(StartAsync);

    private TestServers(string postgres, Uri rabbitMq, Uri management, string source)
    {
        PostgresAdminConnectionString = postgres;
        RabbitMqRoot = rabbitMq;
        RabbitMqManagement = management;
        Source = source;
    }

    public static Task<TestServers> GetAsync() => Shared.Value;

    public string PostgresAdminConnectionString { get; }
    public Uri RabbitMqRoot { get; }
    public Uri RabbitMqManagement { get; }

    /// <summary>Where the servers came from: environment, testcontainers or local.</summary>
    public string Source { get; }


    /// <summary>A new empty database; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(PostgresAdminConnectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await create.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(PostgresAdminConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>A new virtual host; returns the AMQP connection string into it.</summary>
    public async Task<string> CreateVirtualHostAsync(string name)
    {
        var user = Uri.UnescapeDataString(RabbitMqRoot.UserInfo.Split(':')[0]);
        var password = Uri.UnescapeDataString(RabbitMqRoot.UserInfo.Split(':').ElementAtOrDefault(1) ?? "");
        await LocalRabbitMq.CreateVirtualHostAsync(RabbitMqManagement, user, password, name);
        return new UriBuilder(RabbitMqRoot) { Path = "/" + Uri.EscapeDataString(name) }.Uri.ToString();
    }

    private static async Task<TestServers> StartAsync()
    {
        var postgres = Environment.GetEnvironmentVariable("PORTAL_TEST_POSTGRES");
        var rabbit = Environment.GetEnvironmentVariable("PORTAL_TEST_RABBITMQ");
        var management = Environment.GetEnvironmentVariable("PORTAL_TEST_RABBITMQ_MANAGEMENT");
        if (!string.IsNullOrEmpty(postgres) && !string.IsNullOrEmpty(rabbit) && !string.IsNullOrEmpty(management))
        {
            return new TestServers(postgres, new Uri(rabbit), new Uri(management), "environment");
        }

        if (DockerEngineAnswers())
        {
            return await StartContainersAsync();
        }

        return await StartLocalNodesAsync();
    }

    private static bool DockerEngineAnswers()
    {
        try
        {
            return TestcontainersSettings.OS.DockerEndpointAuthConfig is not null;
        }
        catch (Exception)
        {
            return false;
        }
    }

    private static async Task<TestServers> StartContainersAsync()
    {
        var pg = new PostgreSqlBuilder("postgres:15").WithCommand("-c", "fsync=off", "-c", "max_connections=400").Build();
        var mq = new RabbitMqBuilder("rabbitmq:3.13-management").WithPortBinding(15672, true).Build();
        await Task.WhenAll(pg.StartAsync(), mq.StartAsync());
        var managementUri = new Uri($"http://{mq.Hostname}:{mq.GetMappedPublicPort(15672)}/");
        return new TestServers(pg.GetConnectionString(), new Uri(mq.GetConnectionString()), managementUri, "testcontainers");
    }

    private static async Task<TestServers> StartLocalNodesAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), "portalplatform-tests", $"{Environment.ProcessId}-{Guid.NewGuid():N}"[..16]);
        var postgres = new LocalPostgres(Path.Combine(root, "postgres"), Ports.Free(), throwaway: true);
        var rabbit = new LocalRabbitMq(Path.Combine(root, "rabbitmq"), Ports.Free(), Ports.Free(), throwaway: true);

        // Stop both the moment this test process ends, however it ends.
        await Task.WhenAll(
            postgres.StartAsync(Console.WriteLine),
            rabbit.StartAsync(Console.WriteLine));
        Watchdog.RunWhenGone(Environment.ProcessId, $"{postgres.StopCommandLine()} >/dev/null 2>&1; {rabbit.KillCommandLine()}; rm -rf '{root}'");

        return new TestServers(postgres.ConnectionString(), new Uri(rabbit.ConnectionString()), rabbit.ManagementUri, "local");
    }
}
