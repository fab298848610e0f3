using Microsoft.Extensions.Configuration;
using PortalPlatform.Hosting.Resources;

namespace PortalPlatform.Hosting.ApplicationModel;

/// <summary>
/// Collects the platform's resources and the references between them, in the manner of Aspire's
/// <c>DistributedApplication.CreateBuilder(args)</c>; <see cref="Build"/> gives the application that runs them.
/// </summary>
public sealed class DistributedApplicationBuilder
{
    private static readonly Dictionary<string, string> Switches = new(StringComparer.Ordinal)
    {
        ["--data-dir"] = "DataDirectory",
        ["--gateway-port"] = "Ports:Gateway",
        ["--enrollment-port"] = "Ports:Enrollment",
        ["--identity-port"] = "Ports:IdentityVerification",
        ["--notification-port"] = "Ports:Notification",
        ["--sms-port"] = "Ports:Sms",
        ["--smtp-port"] = "Ports:Smtp",
        ["--dashboard-port"] = "Ports:Dashboard",
        ["--otlp-grpc-port"] = "Ports:DashboardOtlpGrpc",
        ["--postgres-port"] = "Ports:Postgres",
        ["--rabbitmq-port"] = "Ports:RabbitMq",
        ["--rabbitmq-management-port"] = "Ports:RabbitMqManagement",
    };

    // Bare flags become key=value pairs for the command-line configuration provider.
    private static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal)
    {
        ["--fresh"] = "--Fresh=true",
        ["--no-seed"] = "--Seed=false",
        ["--verbose"] = "--Verbose=true",
    };

    private DistributedApplicationBuilder(AppHostOptions options)
    {
        Options = options;
        DataDirectory = Path.GetFullPath(Path.Combine(RepositoryLayout.Root, options.DataDirectory));
    }

    public AppHostOptions Options { get; }

    /// <summary>The one folder holding everything kept between runs (git-ignored).</summary>
    public string DataDirectory { get; }

    public List<Resource> Resources { get; } = [];

    /// <summary>Where every project sends its telemetry (set by the dashboard resource).</summary>
    public Uri? OtlpEndpoint { get; set; }

    internal List<Func<IResourceController, Action<string>, CancellationToken, Task>> AfterHealthy { get; } = [];

    public static DistributedApplicationBuilder CreateBuilder(string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables("PORTAL_")
            .AddCommandLine([.. args.Select(a => Flags.GetValueOrDefault(a, a))], Switches)
            .Build();
        var options = new AppHostOptions();
        configuration.Bind(options);
        return new DistributedApplicationBuilder(options);
    }

    public IResourceBuilder<T> AddResource<T>(T resource) where T : Resource
    {
        if (Resources.Any(r => r.Name == resource.Name))
        {
            throw new InvalidOperationException($"A resource named '{resource.Name}' already exists.");
        }

        Resources.Add(resource);
        return new ResourceBuilder<T>(this, resource);
    }

    /// <summary>Work to do once every resource is healthy (the demo seed).</summary>
    public void OnAllHealthy(Func<IResourceController, Action<string>, CancellationToken, Task> action) => AfterHealthy.Add(action);

    public DistributedApplication Build() => new(this);
}

public interface IResourceBuilder<out T> where T : Resource
{
    T Resource { get; }
    DistributedApplicationBuilder ApplicationBuilder { get; }
}

internal sealed record ResourceBuilder<T>(DistributedApplicationBuilder ApplicationBuilder, T Resource) : IResourceBuilder<T> where T : Resource;

public static class ResourceBuilderExtensions
{
    /// <summary>Start this resource only once <paramref name="dependency"/> is healthy.</summary>
    public static IResourceBuilder<T> WaitFor<T>(this IResourceBuilder<T> builder, IResourceBuilder<Resource> dependency) where T : Resource
    {
        builder.Resource.WaitsFor.Add(dependency.Resource);
        return builder;
    }
}
