using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PortalPlatform.Dashboard.Api;
using PortalPlatform.Dashboard.Telemetry;
using PortalPlatform.Hosting.ApplicationModel;

namespace PortalPlatform.Dashboard;

/// <summary>
/// The ops dashboard, a web app the AppHost starts in its own process: resources (with restart), console and
/// structured logs, traces, metrics and the captured mail and text messages; and the OTLP receiver every
/// project exports to (http/protobuf on the web port, gRPC on its own HTTP/2 port).
/// </summary>
public sealed class DashboardResource(string name, int port, int grpcPort) : Resource(name)
{
    private WebApplication? _app;

    public Uri Url { get; } = new($"http://127.0.0.1:{port}");
    public Uri OtlpGrpcUrl { get; } = new($"http://127.0.0.1:{grpcPort}");
    public TelemetryStore Telemetry { get; } = new();
    public override string Type => "dashboard";
    public override IReadOnlyList<ResourceEndpoint> Endpoints => [new("http", Url), new("otlp-http", Url), new("otlp-grpc", OtlpGrpcUrl)];
    public override IEnumerable<(int Port, string What)> PortsToCheck => [(port, "the dashboard"), (grpcPort, "the dashboard's OTLP/gRPC receiver")];
    public override int? ProcessId => Environment.ProcessId;

    protected override async Task StartAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(DashboardResource).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new ConsoleLogProvider(Console));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http1);
            kestrel.Listen(IPAddress.Loopback, grpcPort, listen => listen.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddSingleton(Telemetry);
        builder.Services.AddSingleton(context.Controller);
        builder.Services.AddGrpc(grpc => grpc.MaxReceiveMessageSize = 16 * 1024 * 1024);
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.WriteIndented = false);
        builder.Services.AddHttpClient();

        var app = builder.Build();
        app.MapOtlpHttp();
        app.MapGrpcService<OtlpTraceService>();
        app.MapGrpcService<OtlpLogsService>();
        app.MapGrpcService<OtlpMetricsService>();
        app.MapDashboardApi();
        app.MapDashboardPages();
        await app.StartAsync(cancellationToken);
        _app = app;
    }

    protected override async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    protected override Task<bool> IsHealthyAsync(CancellationToken cancellationToken) => Task.FromResult(_app is not null);
}

public static class DashboardHostingExtensions
{
    /// <summary>The dashboard; every project exports its telemetry to it (OTEL_EXPORTER_OTLP_ENDPOINT).</summary>
    public static IResourceBuilder<DashboardResource> AddDashboard(this DistributedApplicationBuilder builder, string name, int port, int otlpGrpcPort)
    {
        var dashboard = builder.AddResource(new DashboardResource(name, port, otlpGrpcPort));
        builder.OtlpEndpoint = dashboard.Resource.Url;
        return dashboard;
    }
}

/// <summary>The dashboard's own warnings go to its console log, like any other resource's.</summary>
internal sealed class ConsoleLogProvider(ConsoleLog log) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(log, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(ConsoleLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            log.Add($"{logLevel}: {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.Message)}", logLevel >= LogLevel.Error);
    }
}
