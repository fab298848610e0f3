using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace PortalPlatform.GatewayBenchmark;

/// <summary>One real service on a loopback port, configured like the tests do but without recording spans (that would skew timings).</summary>
public sealed class BenchmarkHost<TEntryPoint>(IReadOnlyDictionary<string, string?> configuration, int port) : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    public Uri Address { get; } = new($"http://127.0.0.1:{port}");

    public BenchmarkHost<TEntryPoint> Start()
    {
        UseKestrel(port);
        StartServer();
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (key, value) in configuration)
        {
            builder.UseSetting(key, value);
        }
    }
}
