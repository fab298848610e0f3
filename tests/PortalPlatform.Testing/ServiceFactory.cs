using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace PortalPlatform.Testing;

/// <summary>
/// Starts one real service in-process (its own Program, its own DI) against the test class's real servers, and
/// records every span it produces.
/// </summary>
/// <typeparam name="TEntryPoint">Any type of the service's assembly.</typeparam>
public class ServiceFactory<TEntryPoint>(IsolatedServers servers, string serviceName, IDictionary<string, string?>? overrides = null)
    : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    /// <summary>The spans this service exported, in the order they ended.</summary>
    public ConcurrentQueue<Activity> Spans { get; } = new();

    public string EnvironmentName { get; init; } = "Testing";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        var configuration = servers.ConfigurationFor(serviceName);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        // UseSetting, not ConfigureAppConfiguration: a minimal-hosting Program reads its configuration before Build(),
        // and only host settings reach it that early (WebApplicationFactory hands them over as command-line arguments).
        foreach (var (key, value) in configuration)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureServices(services =>
            services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new SimpleActivityExportProcessor(new QueueExporter(Spans)))));
    }
}
