using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace PortalPlatform.GatewayBenchmark;

/// <summary>One real service on a loopback port, configured like the tests do but without recording spans (that would skew timings).</summary>
/// <param name="projectFolder">The service's folder under services/, its content root (appsettings.json, wwwroot).</param>
public sealed class BenchmarkHost<TEntryPoint>(string projectFolder, IReadOnlyDictionary<string, string?> configuration, int port) : WebApplicationFactory<TEntryPoint>
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
        builder.UseContentRoot(Path.Combine(RepositoryRoot(), "services", projectFolder));
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (key, value) in configuration)
        {
            builder.UseSetting(key, value);
        }
    }

    // A console program is not a test assembly: WebApplicationFactory cannot guess the content root, so it is given.
    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "PortalPlatform.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Run the benchmark from the repository (PortalPlatform.sln not found above the binaries).");
    }
}
