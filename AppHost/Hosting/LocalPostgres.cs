using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using PortalPlatform.Hosting;
using PortalPlatform.Hosting.Local;

namespace PortalPlatform.Hosting
{
    /// <summary>
    /// A private PostgreSQL server run from Debian's packages: its own data folder, loopback only, trust authentication
    /// for the user <c>postgres</c>.
    /// </summary>
    public sealed class LocalPostgresResource(string name, string dataDirectory, string command, string workingDirectory)
        : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
    {
        internal const string EndpointName = "tcp";

        public string DataDirectory { get; } = dataDirectory;
        public EndpointReference PrimaryEndpoint => new(this, EndpointName);

        public ReferenceExpression ConnectionStringExpression =>
            ReferenceExpression.Create($"Host=127.0.0.1;Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username=postgres");
    }

    /// <summary>A database on a <see cref="LocalPostgresResource"/>, created when the server is first ready.</summary>
    public sealed class LocalPostgresDatabaseResource(string name, string databaseName, LocalPostgresResource parent)
        : Resource(name), IResourceWithParent<LocalPostgresResource>, IResourceWithConnectionString
    {
        public string DatabaseName { get; } = databaseName;
        public LocalPostgresResource Parent { get; } = parent;

        public ReferenceExpression ConnectionStringExpression =>
            ReferenceExpression.Create($"{Parent};Database={DatabaseName}");
    }
}

namespace Aspire.Hosting
{
    public static class LocalPostgresBuilderExtensions
    {
        /// <summary>
        /// PostgreSQL as an executable (no container engine needed): a one-shot <c>{name}-init</c> resource runs initdb
        /// the first time, then the server starts on 127.0.0.1:<paramref name="port"/>. As root the server runs as the
        /// system user <c>postgres</c> (it refuses root). DCP stops executables with SIGTERM, which PostgreSQL takes as a
        /// "smart" shutdown that waits for every client; a small shell wrapper turns it into a fast shutdown instead.
        /// </summary>
        /// <param name="throwaway">Test data: no fsync, never for data a user keeps.</param>
        public static IResourceBuilder<LocalPostgresResource> AddLocalPostgres(
            this IDistributedApplicationBuilder builder, string name, int port, string dataDirectory, bool throwaway = false)
        {
            var bin = DebianPackages.PostgresBinaries();
            var data = Path.GetFullPath(dataDirectory);
            var asOwner = Environment.UserName == "root" ? "setpriv --reuid=postgres --regid=postgres --init-groups -- " : "";
            var owner = Environment.UserName == "root" ? "chown postgres:postgres \"$1\"; " : "";

            var init = builder.AddExecutable($"{name}-init", "/bin/sh", builder.AppHostDirectory,
                    "-c", $"mkdir -p \"$1\"; {owner}test -f \"$1/PG_VERSION\" && exit 0; exec {asOwner}\"$2/initdb\" -D \"$1\" -U postgres --auth=trust -E UTF8 --no-instructions",
                    "initdb", data, bin)
                .WithIconName("DatabaseArrowUp")
                .ExcludeFromManifest();

            var settings = new List<string>
            {
                "-D", data, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-k", data,
                "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=400", "-c", "log_destination=stderr",
            };
            if (throwaway)
            {
                settings.AddRange(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]);
            }

            // TERM from DCP becomes INT (fast shutdown: clients disconnected, clean checkpoint); wait until the server is gone.
            const string wrapper = "\"$@\" & pid=$!; trap 'kill -INT $pid' TERM INT; wait $pid; status=$?; " +
                                   "while kill -0 $pid 2>/dev/null; do wait $pid; status=$?; done; exit $status";
            var server = new LocalPostgresResource(name, data, "/bin/sh", builder.AppHostDirectory);
            var postgres = builder.AddResource(server)
                .WithArgs(["-c", wrapper, "postgres", .. asOwner.Split(' ', StringSplitOptions.RemoveEmptyEntries), Path.Combine(bin, "postgres"), .. settings])
                .WithEndpoint(port: port, targetPort: port, scheme: "tcp", name: LocalPostgresResource.EndpointName, isProxied: false)
                .WithIconName("Database")
                .WaitForCompletion(init)
                .ExcludeFromManifest();

            var healthCheck = $"{name}-health";
            string? connectionString = null;
            builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(server, async (_, ct) =>
                connectionString = await server.ConnectionStringExpression.GetValueAsync(ct));
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(healthCheck,
                _ => new PostgresAnswers(() => connectionString), failureStatus: null, tags: null));
            return postgres.WithHealthCheck(healthCheck);
        }

        /// <summary>A database on the server, created (if missing) once the server is ready; healthy once it answers.</summary>
        public static IResourceBuilder<LocalPostgresDatabaseResource> AddDatabase(
            this IResourceBuilder<LocalPostgresResource> server, string name, string? databaseName = null)
        {
            var builder = server.ApplicationBuilder;
            var database = new LocalPostgresDatabaseResource(name, databaseName ?? name, server.Resource);
            string? connectionString = null;

            // DCP runs the server, not its databases: this resource's state is ours to publish.
            server.OnResourceReady(async (_, ready, ct) =>
            {
                connectionString = await database.ConnectionStringExpression.GetValueAsync(ct);
                await CreateIfMissingAsync(await server.Resource.ConnectionStringExpression.GetValueAsync(ct), database.DatabaseName, ct);
                await ready.Services.GetRequiredService<ResourceNotificationService>().PublishUpdateAsync(database, state => state with
                {
                    State = KnownResourceStates.Running,
                    StartTimeStamp = DateTime.UtcNow,
                });
            });

            var healthCheck = $"{name}-health";
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(healthCheck,
                _ => new PostgresAnswers(() => connectionString), failureStatus: null, tags: null));

            return builder.AddResource(database)
                .WithInitialState(new CustomResourceSnapshot
                {
                    ResourceType = "PostgresDatabase",
                    State = KnownResourceStates.Waiting,
                    Properties = [new("database", database.DatabaseName)],
                })
                .WithParentRelationship(server)
                .WithIconName("Database")
                .WithHealthCheck(healthCheck)
                .ExcludeFromManifest();
        }

        private static async Task CreateIfMissingAsync(string? serverConnectionString, string databaseName, CancellationToken ct)
        {
            await using var connection = new NpgsqlConnection(serverConnectionString);
            await connection.OpenAsync(ct);
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
            exists.Parameters.AddWithValue("name", databaseName);
            if (await exists.ExecuteScalarAsync(ct) is null)
            {
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{databaseName.Replace("\"", "", StringComparison.Ordinal)}\"", connection);
                await create.ExecuteNonQueryAsync(ct);
            }
        }

        /// <summary>Healthy when a query round-trips.</summary>
        private sealed class PostgresAnswers(Func<string?> connectionString) : IHealthCheck
        {
            public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
            {
                if (connectionString() is not { } target)
                {
                    return HealthCheckResult.Unhealthy("not started yet");
                }

                try
                {
                    await using var connection = new NpgsqlConnection(target);
                    await connection.OpenAsync(cancellationToken);
                    await using var probe = new NpgsqlCommand("SELECT 1", connection);
                    await probe.ExecuteScalarAsync(cancellationToken);
                    return HealthCheckResult.Healthy();
                }
                catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
                {
                    return HealthCheckResult.Unhealthy(e.Message);
                }
            }
        }
    }
}
