namespace PortalPlatform.Hosting.ApplicationModel;

/// <summary>Lifecycle of a resource, as the dashboard shows it.</summary>
public enum ResourceState
{
    NotStarted,
    Waiting,
    Starting,
    Running,
    Exited,
    FailedToStart,
    Stopping,
    Stopped,
}

public enum ResourceHealth
{
    Unknown,
    Healthy,
    Unhealthy,
}

/// <summary>An address a resource listens on (name: http, tcp, smtp, amqp, management, otlp).</summary>
public sealed record ResourceEndpoint(string Name, Uri Url);

/// <summary>
/// One part of the platform the AppHost runs (a server, a database, a service, a sink, the dashboard): its
/// state and health, its endpoints, what it waits for, and its console output.
/// </summary>
public abstract class Resource(string name)
{
    public string Name { get; } = name;

    /// <summary>Short kind shown by the dashboard: postgres, database, rabbitmq, project, mail, sms, dashboard.</summary>
    public abstract string Type { get; }

    public ResourceState State { get; private set; } = ResourceState.NotStarted;
    public ResourceHealth Health { get; private set; } = ResourceHealth.Unknown;

    /// <summary>Why the state is what it is (an exit code, a start failure).</summary>
    public string? StateDetail { get; private set; }

    public DateTimeOffset? StartedAt { get; private set; }
    public int Restarts { get; internal set; }
    public ConsoleLog Console { get; } = new(capacity: 5000);

    /// <summary>Resources that must be healthy before this one starts.</summary>
    public List<Resource> WaitsFor { get; } = [];

    /// <summary>Resources whose address or connection string this one receives.</summary>
    public List<Resource> References { get; } = [];

    public virtual IReadOnlyList<ResourceEndpoint> Endpoints => [];

    /// <summary>Ports this resource binds and the AppHost checks before starting anything.</summary>
    public virtual IEnumerable<(int Port, string What)> PortsToCheck => [];

    public virtual int? ProcessId => null;
    public virtual bool CanRestart => false;

    /// <summary>The process exited on its own (a crash): the application shows it and stops watching health.</summary>
    public event Action<Resource>? Crashed;

    protected internal abstract Task StartAsync(ResourceContext context, CancellationToken cancellationToken);

    protected internal virtual Task StopAsync() => Task.CompletedTask;

    protected internal virtual Task<bool> IsHealthyAsync(CancellationToken cancellationToken) => Task.FromResult(true);

    internal void SetState(ResourceState state, string? detail = null)
    {
        State = state;
        StateDetail = detail;
        if (state == ResourceState.Starting)
        {
            StartedAt = DateTimeOffset.UtcNow;
        }

        if (state is not ResourceState.Running)
        {
            Health = ResourceHealth.Unknown;
        }
    }

    internal void SetHealth(ResourceHealth health) => Health = health;

    protected void ReportCrash(string detail)
    {
        if (State is ResourceState.Running or ResourceState.Starting)
        {
            SetState(ResourceState.Exited, detail);
            Crashed?.Invoke(this);
        }
    }
}

/// <summary>A resource that hands out a connection string (ConnectionStrings__{name} in a referencing project).</summary>
public interface IResourceWithConnectionString
{
    string Name { get; }
    string ConnectionString { get; }
}

/// <summary>What a resource needs while it starts.</summary>
public sealed record ResourceContext(AppHostOptions Options, IResourceController Controller, Action<string> Log);

/// <summary>What the dashboard may do with the running application.</summary>
public interface IResourceController
{
    IReadOnlyList<Resource> Resources { get; }
    Task RestartAsync(Resource resource, CancellationToken cancellationToken = default);
}

/// <summary>A sink whose captured messages the dashboard lists (mail at /api/mail, sms at /api/sms).</summary>
public interface ICapturedMessageSource
{
    string MessageKind { get; }
    IEnumerable<object> ReadMessages();
}
