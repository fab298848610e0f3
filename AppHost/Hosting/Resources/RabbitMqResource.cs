using System.Net.Http.Headers;
using System.Text;
using PortalPlatform.Hosting.ApplicationModel;
using PortalPlatform.Hosting.Local;

namespace PortalPlatform.Hosting.Resources;

/// <summary>The private RabbitMQ node (<see cref="LocalRabbitMq"/>) with its management UI.</summary>
public sealed class RabbitMqResource(string name, LocalRabbitMq server) : Resource(name), IResourceWithConnectionString, IOrphanCleanup
{
    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(5) };

    public LocalRabbitMq Server { get; } = server;
    public override string Type => "rabbitmq";
    public string ConnectionString => Server.ConnectionString();

    public override IReadOnlyList<ResourceEndpoint> Endpoints =>
        [new("amqp", new Uri($"amqp://127.0.0.1:{Server.AmqpPort}")), new("management", Server.ManagementUri)];

    public override int? ProcessId =>
        File.Exists(Path.Combine(Server.Directory, "rabbit.pid")) &&
        int.TryParse(File.ReadAllText(Path.Combine(Server.Directory, "rabbit.pid")).Trim(), out var pid) ? pid : null;

    protected internal override Task StartAsync(ResourceContext context, CancellationToken cancellationToken) =>
        Server.StartAsync(line => { Console.Add(line); context.Log(line); }, cancellationToken);

    protected internal override Task StopAsync() => Server.StopAsync();

    protected internal override async Task<bool> IsHealthyAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Server.ManagementUri, "api/health/checks/alarms"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{LocalRabbitMq.User}:{LocalRabbitMq.Password}")));
            using var response = await Probe.SendAsync(request, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public string OrphanCleanupCommand() => Server.KillCommandLine();
}
