using System.Globalization;
using System.Net.Http.Json;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using PortalPlatform.Hosting;
using PortalPlatform.Hosting.Local;
using RabbitMQ.Client;

namespace PortalPlatform.Hosting
{
    /// <summary>
    /// A private RabbitMQ node run from Debian's packages: loopback only, its own data, log, Erlang cookie and epmd,
    /// with the management plugin (UI and HTTP API).
    /// </summary>
    public sealed class LocalRabbitMqResource(string name, string directory, string command, string workingDirectory)
        : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
    {
        internal const string AmqpEndpointName = "amqp";
        internal const string ManagementEndpointName = "management";
        public const string User = "guest";
        public const string Password = "guest";

        public string Directory { get; } = directory;
        public EndpointReference PrimaryEndpoint => new(this, AmqpEndpointName);
        public EndpointReference ManagementEndpoint => new(this, ManagementEndpointName);

        public ReferenceExpression ConnectionStringExpression =>
            ReferenceExpression.Create($"amqp://{User}:{Password}@127.0.0.1:{PrimaryEndpoint.Property(EndpointProperty.Port)}/");
    }

    /// <summary>A user of the node with its own permissions (regexes over exchange and queue names) and a password made per run.</summary>
    public sealed class LocalRabbitMqUserResource(string name, string userName, LocalRabbitMqResource broker)
        : Resource(name), IResourceWithConnectionString, IResourceWithParent<LocalRabbitMqResource>
    {
        public LocalRabbitMqResource Parent => broker;
        public string UserName => userName;
        internal string Password { get; } = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

        public ReferenceExpression ConnectionStringExpression =>
            ReferenceExpression.Create($"amqp://{UserName}:{Password}@127.0.0.1:{broker.PrimaryEndpoint.Property(EndpointProperty.Port)}/");
    }
}

namespace Aspire.Hosting
{
    public static class LocalRabbitMqBuilderExtensions
    {
        /// <summary>
        /// RabbitMQ as an executable: beam.smp itself is the process DCP watches and signals (RUNNING_UNDER_SYSTEMD
        /// makes the start script exec it), and its epmd runs as a resource of its own (<c>{name}-epmd</c>) so nothing
        /// is left behind when the AppHost stops. The broker log goes to the console, so the dashboard shows it.
        /// </summary>
        public static IResourceBuilder<LocalRabbitMqResource> AddLocalRabbitMQ(
            this IDistributedApplicationBuilder builder, string name, int amqpPort, int managementPort, string directory)
        {
            const string bin = "/usr/lib/rabbitmq/bin";
            DebianPackages.Ensure(new Dictionary<string, string> { ["rabbitmq-server"] = Path.Combine(bin, "rabbitmq-server") });
            var dir = Path.GetFullPath(directory);
            var epmdPort = Ports.Free();
            var distributionPort = Ports.Free();
            WriteConfiguration(dir, amqpPort, managementPort);

            var epmd = builder.AddExecutable($"{name}-epmd", "epmd", dir, "-port", epmdPort.ToString(CultureInfo.InvariantCulture), "-address", "127.0.0.1")
                .WithIconName("PlugConnected")
                .ExcludeFromManifest();

            var node = new LocalRabbitMqResource(name, dir, Path.Combine(bin, "rabbitmq-server"), dir);
            var rabbit = builder.AddResource(node)
                .WithEnvironment(context =>
                {
                    foreach (var (key, value) in Environment(dir, amqpPort, epmdPort, distributionPort))
                    {
                        context.EnvironmentVariables[key] = value;
                    }
                })
                .WithEndpoint(port: amqpPort, targetPort: amqpPort, scheme: "tcp", name: LocalRabbitMqResource.AmqpEndpointName, isProxied: false)
                .WithHttpEndpoint(port: managementPort, targetPort: managementPort, name: LocalRabbitMqResource.ManagementEndpointName, isProxied: false)
                .WithUrlForEndpoint(LocalRabbitMqResource.ManagementEndpointName, url => url.DisplayText = "Management UI (guest/guest)")
                .WithIconName("Mail")
                .WaitFor(epmd)
                .WithParentRelationship(epmd)
                .ExcludeFromManifest();

            var healthCheck = $"{name}-health";
            string? connectionString = null;
            builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(node, async (_, ct) =>
                connectionString = await node.ConnectionStringExpression.GetValueAsync(ct));
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(healthCheck,
                _ => new BrokerAnswers(() => connectionString), failureStatus: null, tags: null));
            return rabbit.WithHealthCheck(healthCheck);
        }

        /// <summary>
        /// A user of the node (<c>{node}-{user}</c> in the dashboard) with only the given permissions in the default
        /// virtual host, created or updated through the management API once the node answers; its password is new on
        /// every run. A service referencing it connects as that user, so the broker enforces what the service may do.
        /// </summary>
        public static IResourceBuilder<LocalRabbitMqUserResource> AddUser(
            this IResourceBuilder<LocalRabbitMqResource> broker, string userName, string configure, string write, string read)
        {
            var builder = broker.ApplicationBuilder;
            var user = new LocalRabbitMqUserResource($"{broker.Resource.Name}-{userName}", userName, broker.Resource);
            string? connectionString = null;

            // DCP runs the node, not its users: this resource's state is ours to publish.
            broker.OnResourceReady(async (_, ready, ct) =>
            {
                await PutUserAsync(broker.Resource, user, new { configure, write, read }, ct);
                connectionString = await user.ConnectionStringExpression.GetValueAsync(ct);
                await ready.Services.GetRequiredService<ResourceNotificationService>().PublishUpdateAsync(user, state => state with
                {
                    State = KnownResourceStates.Running,
                    StartTimeStamp = DateTime.UtcNow,
                });
            });

            var healthCheck = $"{user.Name}-health";
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(healthCheck,
                _ => new BrokerAnswers(() => connectionString), failureStatus: null, tags: null));

            return builder.AddResource(user)
                .WithInitialState(new CustomResourceSnapshot
                {
                    ResourceType = "RabbitMQUser",
                    State = KnownResourceStates.Waiting,
                    Properties = [new("user", userName), new("configure", configure), new("write", write), new("read", read)],
                })
                .WithParentRelationship(broker)
                .WithIconName("Person")
                .WithHealthCheck(healthCheck)
                .ExcludeFromManifest();
        }

        private static async Task PutUserAsync(LocalRabbitMqResource node, LocalRabbitMqUserResource user, object permissions, CancellationToken ct)
        {
            using var http = new HttpClient { BaseAddress = new Uri(node.ManagementEndpoint.Url + "/api/") };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{LocalRabbitMqResource.User}:{LocalRabbitMqResource.Password}")));
            var name = Uri.EscapeDataString(user.UserName);

            // The AMQP port answers a moment before the management listener does.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    using var created = await http.PutAsJsonAsync($"users/{name}", new { password = user.Password, tags = "" }, ct);
                    created.EnsureSuccessStatusCode();
                    using var granted = await http.PutAsJsonAsync($"permissions/%2F/{name}", permissions, ct);
                    granted.EnsureSuccessStatusCode();
                    return;
                }
                catch (HttpRequestException) when (attempt < 30)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), ct);
                }
            }
        }

        private static void WriteConfiguration(string dir, int amqpPort, int managementPort)
        {
            foreach (var folder in new[] { dir, Path.Combine(dir, "mnesia"), Path.Combine(dir, "log") })
            {
                Directory.CreateDirectory(folder);
            }

            File.WriteAllText(Path.Combine(dir, "rabbitmq.conf"), $"""
                listeners.tcp.default = 127.0.0.1:{amqpPort}
                management.tcp.ip = 127.0.0.1
                management.tcp.port = {managementPort}
                loopback_users = none
                log.console = true
                log.console.level = info
                log.file = false
                """);
            File.WriteAllText(Path.Combine(dir, "enabled_plugins"), "[rabbitmq_management].");
            File.WriteAllText(Path.Combine(dir, "rabbitmq-env.conf"), "");
        }

        private static Dictionary<string, string> Environment(string dir, int amqpPort, int epmdPort, int distributionPort) => new()
        {
            ["HOME"] = dir, // the Erlang cookie lives here, shared by the server and rabbitmqctl
            ["RUNNING_UNDER_SYSTEMD"] = "true",
            // Derived from the folder so a kept node finds its data (filed under the node name) on the next run.
            ["RABBITMQ_NODENAME"] = $"portal{(uint)StableHash(dir)}@localhost",
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = amqpPort.ToString(CultureInfo.InvariantCulture),
            ["RABBITMQ_DIST_PORT"] = distributionPort.ToString(CultureInfo.InvariantCulture),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(dir, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(dir, "log"),
            ["RABBITMQ_PID_FILE"] = Path.Combine(dir, "rabbit.pid"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(dir, "rabbitmq.conf"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(dir, "enabled_plugins"),
            ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(dir, "rabbitmq-env.conf"),
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
            ["ERL_EPMD_PORT"] = epmdPort.ToString(CultureInfo.InvariantCulture),
        };

        private static int StableHash(string text)
        {
            unchecked
            {
                var hash = (int)2166136261;
                foreach (var c in text)
                {
                    hash = (hash ^ c) * 16777619;
                }

                return hash;
            }
        }

        /// <summary>Healthy when an AMQP connection opens (the AMQP port opens before the broker has finished booting).</summary>
        private sealed class BrokerAnswers(Func<string?> connectionString) : IHealthCheck
        {
            public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
            {
                if (connectionString() is not { } target)
                {
                    return HealthCheckResult.Unhealthy("not started yet");
                }

                try
                {
                    var factory = new ConnectionFactory { Uri = new Uri(target), RequestedConnectionTimeout = TimeSpan.FromSeconds(5) };
                    await using var connection = await factory.CreateConnectionAsync(cancellationToken);
                    return HealthCheckResult.Healthy();
                }
                catch (Exception e) when (e is RabbitMQ.Client.Exceptions.BrokerUnreachableException or IOException or TimeoutException or OperationCanceledException)
                {
                    return HealthCheckResult.Unhealthy(e.Message);
                }
            }
        }
    }
}
