using System.Diagnostics;
using System.Runtime.InteropServices;
using PortalPlatform.Hosting.Local;

namespace PortalPlatform.Hosting.ApplicationModel;

/// <summary>
/// Runs the resources: each starts once everything it waits for is healthy; the console says when all are healthy
/// and where to look; a crashed project is shown as Exited until restarted; Ctrl+C (or SIGTERM) stops everything
/// in reverse order. A watchdog cleans up after an AppHost that was killed outright.
/// </summary>
public sealed class DistributedApplication : IResourceController
{
    private readonly DistributedApplicationBuilder _builder;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ResourceContext _context;

    internal DistributedApplication(DistributedApplicationBuilder builder)
    {
        _builder = builder;
        _context = new ResourceContext(builder.Options, this, Log);
    }

    public IReadOnlyList<Resource> Resources => _builder.Resources;

    /// <summary>Lines printed after "all resources healthy" (the URLs an engineer opens).</summary>
    public List<(string Label, Func<string> Value)> Summary { get; } = [];

    public static void Log(string line) => Console.WriteLine($"[apphost] {line}");

    public async Task<int> RunAsync()
    {
        var clock = Stopwatch.StartNew();
        var sinceProcessStart = DateTime.Now - Process.GetCurrentProcess().StartTime;
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; _stopping.Cancel(); };
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, s => { s.Cancel = true; _stopping.Cancel(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, s => { s.Cancel = true; _stopping.Cancel(); });

        var ordered = TopologicalOrder();
        var started = new List<Resource>();
        try
        {
            PrepareDataDirectory();
            foreach (var (port, what) in ordered.SelectMany(r => r.PortsToCheck))
            {
                Ports.EnsureFree(port, what);
            }

            foreach (var resource in ordered)
            {
                resource.Crashed += r => Log($"{r.Name} {r.StateDetail}; its output is on the dashboard, restart it there");
            }

            var healthy = ordered.ToDictionary(r => r, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            async Task StartOne(Resource resource)
            {
                try
                {
                    resource.SetState(ResourceState.Waiting);
                    await Task.WhenAll(resource.WaitsFor.Select(d => healthy[d].Task));
                    resource.SetState(ResourceState.Starting);
                    lock (started)
                    {
                        started.Add(resource);
                    }

                    await resource.StartAsync(_context, _stopping.Token);
                    resource.SetState(ResourceState.Running);
                    await WaitHealthyAsync(resource, _builder.Options.HealthTimeout, _stopping.Token);
                    healthy[resource].TrySetResult();
                }
                catch (ResourceFailedException dependency)
                {
                    resource.SetState(ResourceState.NotStarted, $"{dependency.Resource.Name} failed to start");
                    healthy[resource].TrySetException(dependency);
                    throw;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    if (resource.State is not ResourceState.Exited)
                    {
                        resource.SetState(ResourceState.FailedToStart, e.Message);
                    }

                    healthy[resource].TrySetException(new ResourceFailedException(resource, e));
                    throw new ResourceFailedException(resource, e);
                }
                catch (OperationCanceledException)
                {
                    healthy[resource].TrySetCanceled();
                    throw;
                }
            }

            await Task.WhenAll(ordered.Select(StartOne));
            var total = sinceProcessStart + clock.Elapsed;
            Log($"all resources healthy in {total.TotalSeconds:0.0} s since the AppHost process started ({clock.Elapsed.TotalSeconds:0.0} s of orchestration)");
            foreach (var (label, value) in Summary)
            {
                Log($"{label + ":",-19}{value()}");
            }

            foreach (var action in _builder.AfterHealthy)
            {
                await action(this, Log, _stopping.Token);
            }

            Log($"data in {_builder.DataDirectory}; press Ctrl+C to stop");
            await WatchAsync(_stopping.Token);
            return 0;
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return 0;
        }
        catch (PortInUseException busy)
        {
            Log(busy.Message);
            return 2;
        }
        catch (ResourceFailedException failed)
        {
            var root = failed.InnerException is PortInUseException busy ? busy.Message : failed.Message;
            Log(root);
            // The first lines of an unhandled exception say why; the last ones are framework frames.
            var lines = failed.Resource.Console.Snapshot();
            var first = lines.ToList().FindIndex(l => l.Text.Contains("Unhandled exception", StringComparison.Ordinal) || l.Text.Contains("fail:", StringComparison.Ordinal) || l.Text.Contains("crit:", StringComparison.Ordinal));
            foreach (var line in first >= 0 ? lines.Skip(first).Take(12) : lines.TakeLast(15))
            {
                Console.WriteLine($"[{failed.Resource.Name}] {line.Text}");
            }

            return failed.InnerException is PortInUseException ? 2 : 1;
        }
        finally
        {
            Log("stopping");
            List<Resource> toStop;
            lock (started)
            {
                toStop = [.. ordered.Where(started.Contains).Reverse()];
            }

            await StopInOrderAsync(toStop);
            File.Delete(RunningMarker);
            Log("stopped");
        }
    }

    public async Task RestartAsync(Resource resource, CancellationToken cancellationToken = default)
    {
        if (!resource.CanRestart)
        {
            throw new InvalidOperationException($"{resource.Name} cannot be restarted.");
        }

        Log($"restarting {resource.Name}");
        resource.SetState(ResourceState.Stopping);
        await resource.StopAsync();
        resource.Restarts++;
        resource.SetState(ResourceState.Starting);
        try
        {
            await resource.StartAsync(_context, cancellationToken);
            resource.SetState(ResourceState.Running);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            resource.SetState(ResourceState.FailedToStart, e.Message);
            throw;
        }
    }

    private string RunDirectory => Path.Combine(_builder.DataDirectory, "run");
    private string RunningMarker => Path.Combine(RunDirectory, "apphost.running");

    private void PrepareDataDirectory()
    {
        if (_builder.Options.Fresh && Directory.Exists(_builder.DataDirectory))
        {
            Log($"--fresh: deleting {_builder.DataDirectory}");
            Directory.Delete(_builder.DataDirectory, recursive: true);
        }

        Directory.CreateDirectory(RunDirectory);
        File.WriteAllText(RunningMarker, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // Killed outright (no finally)? Then stop the children and servers we leave behind.
        var cleanup = string.Join("; ", _builder.Resources.OfType<IOrphanCleanup>().Select(c => c.OrphanCleanupCommand()));
        Watchdog.RunWhenGone(Environment.ProcessId, $"if [ -f '{RunningMarker}' ]; then {cleanup}; rm -f '{RunningMarker}'; fi");
    }

    private static async Task WaitHealthyAsync(Resource resource, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (resource.State is ResourceState.Exited)
            {
                throw new InvalidOperationException($"{resource.Name} {resource.StateDetail} before it became healthy");
            }

            if (await resource.IsHealthyAsync(cancellationToken))
            {
                resource.SetHealth(ResourceHealth.Healthy);
                return;
            }

            resource.SetHealth(ResourceHealth.Unhealthy);
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{resource.Name} was not healthy after {timeout.TotalSeconds:0} s");
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>Keeps each running resource's health current until the AppHost stops.</summary>
    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            foreach (var resource in Resources.Where(r => r.State is ResourceState.Running))
            {
                try
                {
                    resource.SetHealth(await resource.IsHealthyAsync(cancellationToken) ? ResourceHealth.Healthy : ResourceHealth.Unhealthy);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    resource.SetHealth(ResourceHealth.Unhealthy);
                }
            }
        }
    }

    private static async Task StopInOrderAsync(List<Resource> resources)
    {
        // Dependents first: projects, then sinks and the dashboard, then the broker and the database.
        foreach (var group in resources.GroupBy(StopRank).OrderBy(g => g.Key))
        {
            await Task.WhenAll(group.Select(async r =>
            {
                r.SetState(ResourceState.Stopping);
                try
                {
                    await r.StopAsync();
                }
                catch (Exception e)
                {
                    Log($"{r.Name} did not stop cleanly: {e.Message}");
                }

                r.SetState(ResourceState.Stopped);
            }));
        }
    }

    private static int StopRank(Resource resource) => resource.Type switch
    {
        "project" => 0,
        "postgres" or "rabbitmq" => 3,
        "database" => 2,
        _ => 1,
    };

    private List<Resource> TopologicalOrder()
    {
        var ordered = new List<Resource>();
        var visiting = new HashSet<Resource>();
        void Visit(Resource resource)
        {
            if (ordered.Contains(resource))
            {
                return;
            }

            if (!visiting.Add(resource))
            {
                throw new InvalidOperationException($"{resource.Name} waits for itself through its dependencies.");
            }

            foreach (var dependency in resource.WaitsFor)
            {
                Visit(dependency);
            }

            ordered.Add(resource);
        }

        foreach (var resource in _builder.Resources)
        {
            Visit(resource);
        }

        return ordered;
    }
}

/// <summary>A resource that leaves a process behind if the AppHost dies: the shell line that stops it.</summary>
public interface IOrphanCleanup
{
    string OrphanCleanupCommand();
}

public sealed class ResourceFailedException(Resource resource, Exception inner)
    : Exception($"{resource.Name} failed to start: {inner.Message}", inner)
{
    public Resource Resource { get; } = resource;
}
