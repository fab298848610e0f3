using System.Collections.Concurrent;
using System.Diagnostics;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Trace;
using PortalPlatform.Testing;

namespace PortalPlatform.Foundation.Tests;

/// <summary>Builds small web hosts that use the shared conventions exactly as the services do, on a test server.</summary>
internal static class TestHosts
{
    public static WebApplicationBuilder Create(IsolatedServers servers, string serviceName, ConcurrentQueue<Activity>? spans = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ApplicationName = typeof(TestHosts).Assembly.GetName().Name });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(servers.ConfigurationFor(serviceName));
        builder.AddServiceDefaults();
        if (spans is not null)
        {
            builder.Services.ConfigureOpenTelemetryTracerProvider(t => t.AddProcessor(new SimpleActivityExportProcessor(new QueueExporter(spans))));
        }

        return builder;
    }

    /// <summary>Starts the host and waits until its bus is connected, so a test does not race the broker connection.</summary>
    public static async Task<WebApplication> StartConnectedAsync(this WebApplication app)
    {
        await app.StartAsync();
        var bus = app.Services.GetService<IBusControl>();
        if (bus is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await bus.WaitForHealthStatus(BusHealthStatus.Healthy, timeout.Token);
        }

        return app;
    }
}
