using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;
using System.Net.Http.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using DotNet.Testcontainers.Configurations;
using Npgsql;
using PortalPlatform.Hosting;
using PortalPlatform.Hosting.Local;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace PortalPlatform.Testing;

/// <summary>
/// The real PostgreSQL and RabbitMQ every integration test talks to, one pair per test process, found in this
/// order: connection strings from the environment (<c>PORTAL_TEST_POSTGRES</c>, <c>PORTAL_TEST_RABBITMQ</c>,
/// <c>PORTAL_TEST_RABBITMQ_MANAGEMENT</c>), else Testcontainers when a Docker engine answers, else private local
/// servers run by Aspire (DCP) from the same hosting library the AppHost uses (<c>AddLocalPostgres</c>,
/// <c>AddLocalRabbitMQ</c>); DCP stops them when the test process ends, however it ends.
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
        using var http = new HttpClient { BaseAddress = RabbitMqManagement };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{password}")));
        var vhost = Uri.EscapeDataString(name);
        (await http.PutAsync($"api/vhosts/{vhost}", null)).EnsureSuccessStatusCode();
        (await http.PutAsJsonAsync($"api/permissions/{vhost}/{Uri.EscapeDataString(user)}", new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
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
        var builder = DistributedApplicationTestingBuilder.Create(Array.Empty<string>(), (options, _) => options.DisableDashboard = true);
        var postgres = builder.AddLocalPostgres("postgres", Ports.Free(), Path.Combine(root, "postgres"), throwaway: true);
        var rabbit = builder.AddLocalRabbitMQ("rabbitmq", Ports.Free(), Ports.Free(), Path.Combine(root, "rabbitmq"));
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        var app = await builder.BuildAsync();
        using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await app.StartAsync(startup.Token);
        await Task.WhenAll(
            app.ResourceNotifications.WaitForResourceHealthyAsync(postgres.Resource.Name, startup.Token),
            app.ResourceNotifications.WaitForResourceHealthyAsync(rabbit.Resource.Name, startup.Token));

        // A clean stop where the process ends normally; where it is killed, DCP stops the servers on its own.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            app.StopAsync().Wait(TimeSpan.FromSeconds(20));
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        };

        return new TestServers(
            (await postgres.Resource.ConnectionStringExpression.GetValueAsync(startup.Token))!,
            new Uri((await rabbit.Resource.ConnectionStringExpression.GetValueAsync(startup.Token))!),
            new Uri(rabbit.Resource.ManagementEndpoint.Url + "/"),
            "local");
    }
}
