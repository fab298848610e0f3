using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using PortalPlatform.ServiceDefaults.Messaging;

namespace Microsoft.Extensions.Hosting;

public static class PortalMessagingExtensions
{
    /// <summary>Connection string name of the broker, as an Aspire AppHost hands it over (<c>ConnectionStrings__rabbitmq</c>).</summary>
    public const string ConnectionName = "rabbitmq";

    /// <summary>
    /// MassTransit over RabbitMQ with the platform's conventions: endpoint names prefixed by the service (so every
    /// service gets its own queue for an event), retries with exponential back-off before a message goes to its
    /// _error queue, the bus health check counted in <c>/health</c>, and the error queues watched
    /// (<see cref="ErrorQueues"/>: a gauge, the <c>error-queues</c> health entry, <see cref="ErrorQueueEndpoints"/>).
    /// </summary>
    public static IHostApplicationBuilder AddPortalMessaging(
        this IHostApplicationBuilder builder, string serviceName, Action<IBusRegistrationConfigurator>? configure = null)
    {
        builder.Services.AddOptions<PortalMessagingOptions>()
            .Bind(builder.Configuration.GetSection(PortalMessagingOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddSingleton<ErrorQueues>();
        builder.Services.AddHostedService<ErrorQueueMetrics>();
        builder.Services.AddHealthChecks().AddCheck<ErrorQueueHealthCheck>("error-queues");

        builder.Services.AddMassTransit(bus =>
        {
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(serviceName, includeNamespace: false));
            bus.ConfigureHealthCheckOptions(health =>
            {
                health.Name = ConnectionName;
                health.MinimalFailureStatus = HealthStatus.Unhealthy;
                health.Tags.Add(ServiceDefaultsExtensions.ReadyTag);
            });
            bus.AddConfigureEndpointsCallback((context, name, endpoint) =>
            {
                context.GetRequiredService<ErrorQueues>().Add(name);
                var options = context.GetRequiredService<IOptions<PortalMessagingOptions>>().Value;
                endpoint.UseMessageRetry(retry => retry.Exponential(
                    options.RetryLimit, options.RetryMinInterval, options.RetryMaxInterval, options.RetryIntervalDelta));
            });

            configure?.Invoke(bus);

            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(BrokerAddress(builder.Configuration));
                rabbit.ConfigureEndpoints(context);
            });
        });

        builder.Services.AddOptions<MassTransitHostOptions>().Configure(host =>
        {
            // Start even when the broker is down (health says so); MassTransit reconnects on its own.
            host.WaitUntilStarted = false;
            host.StopTimeout = TimeSpan.FromSeconds(10);
        });

        return builder;
    }

    /// <summary>Reads <c>ConnectionStrings:rabbitmq</c> (<c>amqp://user:password@host:port/vhost</c>).</summary>
    public static Uri BrokerAddress(IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(ConnectionName)
            ?? throw new InvalidOperationException($"ConnectionStrings:{ConnectionName} is not set; the AppHost or the environment must provide the broker address.");
        return new Uri(connectionString);
    }
}
