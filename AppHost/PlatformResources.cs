using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PortalPlatform.Hosting;
using PortalPlatform.Hosting.Local;
using PortalPlatform.Hosting.Sinks;
using PortalPlatform.ServiceDefaults.Messaging;

namespace PortalPlatform.AppHost;

public static class PlatformResources
{
    /// <summary>One of the platform's services: an HTTP endpoint (any port unless given), healthy when /health says so, N replicas.</summary>
    public static IResourceBuilder<ProjectResource> AddService<TProject>(
        this IDistributedApplicationBuilder builder, string name, PlatformOptions platform, int port = 0)
        where TProject : IProjectMetadata, new()
    {
        var service = builder.AddProject<TProject>(name)
            .WithHttpEndpoint(port: port.OrNull(), name: "http")
            .WithHttpHealthCheck("/health")
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", builder.Environment.EnvironmentName);
        // Replicas on a fresh database would race to create the same tables on first use: each applies the whole
        // schema at start-up instead, one at a time under Marten's lock (as deploy/ does).
        return platform.Replicas > 1
            ? service.WithReplicas(platform.Replicas).WithEnvironment("EventStore__ApplySchemaOnStartup", "true")
            : service;
    }

    /// <summary>
    /// With several gateway replicas, one P-256 signing key for all of them (made per run, never stored), so a token
    /// one replica issued validates against the keys any replica publishes. One replica keeps its own in-memory key.
    /// </summary>
    /// <summary>
    /// The service connects to the broker as its own user (named after it) with <see cref="BrokerPermissions"/>'s
    /// permissions: it may publish only the events it owns, send only its commands and read only its own queues.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithBrokerUser(this IResourceBuilder<ProjectResource> service, IResourceBuilder<LocalRabbitMqResource> broker)
    {
        var permission = BrokerPermissions.ForService(service.Resource.Name);
        var user = broker.AddUser(permission.User, permission.Configure, permission.Write, permission.Read);
        return service.WithReference(user, connectionName: "rabbitmq").WaitFor(user);
    }

    public static IResourceBuilder<ProjectResource> WithSharedDevelopmentSigningKey(this IResourceBuilder<ProjectResource> gateway, PlatformOptions platform)
    {
        if (platform.Replicas == 1)
        {
            return gateway;
        }

        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        return gateway.WithEnvironment("DevTokens__SigningKeyPem", key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>A dashboard command on the gateway that loads (or completes) the demo practice.</summary>
    public static IResourceBuilder<ProjectResource> WithDemoSeedCommand(
        this IResourceBuilder<ProjectResource> gateway, IResourceBuilder<Smtp4devResource> mail, IResourceBuilder<ProjectResource> sms) =>
        gateway.WithCommand("load-demo-practice", "Load demo practice", async context =>
            {
                var failed = false;
                await RunSeedAsync(gateway, mail, sms, line =>
                {
                    failed |= line.StartsWith("demo seed failed", StringComparison.Ordinal);
                    context.Logger.LogInformation("{Line}", line);
                }, context.CancellationToken);
                return failed ? CommandResults.Failure("The demo seed failed; see the gateway's console log.") : CommandResults.Success();
            },
            new CommandOptions
            {
                Description = "Adds Riverside Family Practice, its staff and a patient in each portal status (idempotent).",
                IconName = "PeopleAdd",
                UpdateState = context => context.ResourceSnapshot.HealthStatus == HealthStatus.Healthy ? ResourceCommandState.Enabled : ResourceCommandState.Disabled,
            });

    /// <summary>
    /// Once every resource is healthy: one line per entry point (<c>name: URL</c>), the time it took, then the demo seed.
    /// </summary>
    public static void AddStartupSummary(
        this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> gateway,
        IResourceBuilder<Smtp4devResource> mail, IResourceBuilder<ProjectResource> sms, PlatformOptions platform)
    {
        builder.Eventing.Subscribe<AfterResourcesCreatedEvent>((created, cancellationToken) =>
        {
            var stopping = created.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            var notifications = created.Services.GetRequiredService<ResourceNotificationService>();
            var configuration = created.Services.GetRequiredService<IConfiguration>();
            _ = Task.Run(async () =>
            {
                try
                {
                    foreach (var resource in created.Model.Resources.Where(r => r is ProjectResource or LocalPostgresDatabaseResource or LocalRabbitMqResource or Smtp4devResource))
                    {
                        await notifications.WaitForResourceHealthyAsync(resource.Name, stopping);
                    }

                    var healthyIn = DateTime.Now - Process.GetCurrentProcess().StartTime;
                    Console.WriteLine($"""

                        all resources healthy in {healthyIn.TotalSeconds:0.0} s
                        gateway: {gateway.GetEndpoint("http").Url}
                        dashboard: {DashboardLoginUrl(configuration)}
                        mail: {mail.Resource.HttpEndpoint.Url}
                        sms: {sms.GetEndpoint("http").Url}/v1/messages

                        """);
                    if (platform.Seed)
                    {
                        await RunSeedAsync(gateway, mail, sms, Console.WriteLine, stopping);
                    }
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                }
            }, stopping);
            return Task.CompletedTask;
        });
    }

    private static string DashboardLoginUrl(IConfiguration configuration)
    {
        var url = (configuration["ASPNETCORE_URLS"] ?? "").Split(';')[0].TrimEnd('/');
        return configuration["AppHost:BrowserToken"] is { Length: > 0 } token ? $"{url}/login?t={token}" : url;
    }

    private static async Task RunSeedAsync(
        IResourceBuilder<ProjectResource> gateway, IResourceBuilder<Smtp4devResource> mail, IResourceBuilder<ProjectResource> sms,
        Action<string> log, CancellationToken cancellationToken)
    {
        using var mailHttp = new HttpClient { BaseAddress = new Uri(mail.Resource.HttpEndpoint.Url) };
        using var smsHttp = new HttpClient { BaseAddress = new Uri(sms.GetEndpoint("http").Url) };
        await DemoSeed.RunAsync(new Uri(gateway.GetEndpoint("http").Url), new MailSinkClient(mailHttp), new SmsSinkClient(smsHttp), log, cancellationToken);
    }
}
