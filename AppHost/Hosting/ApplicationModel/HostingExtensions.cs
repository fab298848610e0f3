using PortalPlatform.Hosting.Local;
using PortalPlatform.Hosting.Resources;

namespace PortalPlatform.Hosting.ApplicationModel;

/// <summary>The Aspire-shaped vocabulary of AppHost/Program.cs: Add*, WithReference, WithEnvironment, WaitFor.</summary>
public static class HostingExtensions
{
    public static IResourceBuilder<PostgresServerResource> AddPostgres(this DistributedApplicationBuilder builder, string name, int port) =>
        builder.AddResource(new PostgresServerResource(name, new LocalPostgres(Path.Combine(builder.DataDirectory, name), port)));

    public static IResourceBuilder<PostgresDatabaseResource> AddDatabase(this IResourceBuilder<PostgresServerResource> server, string name) =>
        server.ApplicationBuilder.AddResource(new PostgresDatabaseResource(name, server.Resource)).WaitFor(server);

    public static IResourceBuilder<RabbitMqResource> AddRabbitMQ(this DistributedApplicationBuilder builder, string name, int amqpPort, int managementPort) =>
        builder.AddResource(new RabbitMqResource(name, new LocalRabbitMq(Path.Combine(builder.DataDirectory, name), amqpPort, managementPort)));

    /// <param name="projectFolder">The project's folder relative to the repository root; its assembly is PortalPlatform.{last segment}.</param>
    public static IResourceBuilder<ProjectResource> AddProject(this DistributedApplicationBuilder builder, string name, string projectFolder, int port)
    {
        var directory = Path.Combine(RepositoryLayout.Root, projectFolder);
        var project = new ProjectResource(name, directory, "PortalPlatform." + Path.GetFileName(projectFolder), port, Path.Combine(builder.DataDirectory, "run"));
        project.Environment["ASPNETCORE_ENVIRONMENT"] = () => "Development";
        project.Environment["OTEL_SERVICE_NAME"] = () => name;
        project.Environment["OTEL_RESOURCE_ATTRIBUTES"] = () => $"service.instance.id={name}-{project.Restarts}";

        project.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = () => builder.OtlpEndpoint?.ToString().TrimEnd('/') ?? "";
        project.Environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = () => "http/protobuf";
        // Short export intervals, as Aspire sets for development: a request shows on the dashboard within a second.
        project.Environment["OTEL_BSP_SCHEDULE_DELAY"] = () => "1000";
        project.Environment["OTEL_BLRP_SCHEDULE_DELAY"] = () => "1000";
        project.Environment["OTEL_METRIC_EXPORT_INTERVAL"] = () => "5000";
        // The exporter's HttpClient goes through the resilience pipeline, whose per-attempt log would drown the console.
        project.Environment["Logging__LogLevel__Polly"] = () => "Warning";
        return builder.AddResource(project);
    }

    /// <summary>ConnectionStrings__{name} (the resource's name unless given).</summary>
    public static IResourceBuilder<ProjectResource> WithReference<T>(this IResourceBuilder<ProjectResource> project, IResourceBuilder<T> source, string? connectionName = null)
        where T : Resource, IResourceWithConnectionString
    {
        project.Resource.References.Add(source.Resource);
        project.Resource.Environment[$"ConnectionStrings__{connectionName ?? source.Resource.Name}"] = () => source.Resource.ConnectionString;
        return project;
    }

    /// <summary>services__{name}__http__0: the address service discovery resolves http://{name} to.</summary>
    public static IResourceBuilder<ProjectResource> WithReference(this IResourceBuilder<ProjectResource> project, IResourceBuilder<ProjectResource> service)
    {
        project.Resource.References.Add(service.Resource);
        project.Resource.Environment[$"services__{service.Resource.Name}__http__0"] = () => service.Resource.Url.ToString().TrimEnd('/');
        return project;
    }

    public static IResourceBuilder<ProjectResource> WithEnvironment(this IResourceBuilder<ProjectResource> project, string name, Func<string> value)
    {
        project.Resource.Environment[name] = value;
        return project;
    }
}
