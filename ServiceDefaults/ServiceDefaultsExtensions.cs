using PortalPlatform.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using PortalPlatform.ServiceDefaults.EventStore;
using PortalPlatform.ServiceDefaults.Messaging;
using PortalPlatform.ServiceDefaults.Http;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every PortalPlatform service shares, in the style of Aspire's ServiceDefaults: OpenTelemetry, health
/// endpoints, service discovery, resilient HttpClients and problem details (bad input included: see BadRequestProblems).
/// </summary>
public static class ServiceDefaultsExtensions
{
    public const string HealthPath = "/health";
    public const string AlivePath = "/alive";

    /// <summary>Tag of the checks that must pass before a service takes traffic (database, broker).</summary>
    public const string ReadyTag = "ready";

    /// <summary>Every ActivitySource and Meter of our own code starts with this prefix.</summary>
    public const string TelemetryPrefix = "PortalPlatform";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddBadRequestProblems();
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var otel = builder.Services.AddOpenTelemetry();
        if (string.IsNullOrEmpty(builder.Configuration["OTEL_SERVICE_NAME"]))
        {
            // Under the AppHost (or Aspire) OTEL_SERVICE_NAME names the service; elsewhere the assembly does.
            otel.ConfigureResource(resource => resource.AddService(builder.Environment.ApplicationName));
        }

        otel.WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("MassTransit", "Marten", "Npgsql", TelemetryPrefix + ".*"))
            .WithTracing(tracing => tracing
                .SetSampler(new ParentBasedSampler(new BackgroundPollingSampler()))
                .AddSource(builder.Environment.ApplicationName)
                .AddSource("MassTransit", "Marten", "Npgsql", TelemetryPrefix + ".*")
                .AddAspNetCoreInstrumentation(aspnet =>
                    // Health probes would drown every real trace.
                    aspnet.Filter = context => !IsHealthProbe(context.Request.Path))
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        return builder;
    }

    /// <summary>
    /// <c>/alive</c>: the process answers. <c>/health</c>: every check, including the database and the broker:
    /// Unhealthy answers 503 so that orchestrators hold traffic back; Degraded (a parked message, a lagging outbox,
    /// messages in error queues) answers 200, because the service still serves, and says why in the body.
    /// A service with an outbox or consumers also gets ops' <see cref="ParkedMessageEndpoints"/> and <see cref="ErrorQueueEndpoints"/>.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        var statusCodes = new Dictionary<HealthStatus, int>
        {
            [HealthStatus.Healthy] = StatusCodes.Status200OK,
            [HealthStatus.Degraded] = StatusCodes.Status200OK,
            [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
        };
        app.MapHealthChecks(HealthPath, new HealthCheckOptions { ResultStatusCodes = statusCodes, ResponseWriter = HealthReportWriter.WriteAsync });
        app.MapHealthChecks(AlivePath, new HealthCheckOptions { Predicate = r => r.Tags.Contains("live"), ResultStatusCodes = statusCodes });
        if (app.Services.GetService<IIntegrationEventMap>() is not null)
        {
            app.MapParkedMessages();
        }

        if (app.Services.GetService<ErrorQueues>() is not null)
        {
            app.MapErrorQueues();
        }

        return app;
    }

    private static bool IsHealthProbe(PathString path) =>
        path.StartsWithSegments(HealthPath) || path.StartsWithSegments(AlivePath);
}
