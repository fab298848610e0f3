using System.Diagnostics;

namespace PortalPlatform.Hosting.Resources;

/// <summary>
/// One service run as a child process from its build output, with the environment an Aspire AppHost would give
/// it; its console output is forwarded line by line to <see cref="Output"/>.
/// </summary>
public sealed class ProjectProcess(string name, string projectDirectory, string assemblyName, int port) : IAsyncDisposable
{
    private Process? _process;

    public string Name { get; } = name;
    public int Port { get; } = port;
    public Uri Url => new($"http://127.0.0.1:{Port}");
    public Dictionary<string, string> Environment { get; } = new();
    public event Action<string, string>? Output;
    public bool HasExited => _process is null || _process.HasExited;
    public int? ProcessId => _process?.Id;

    public void Start(string configuration = "Debug")
    {
        var dll = Path.Combine(projectDirectory, "bin", configuration, "net10.0", assemblyName + ".dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{Name}: {dll} is not built; run 'dotnet build' first.", dll);
        }

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = projectDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.Environment["ASPNETCORE_URLS"] = Url.ToString().TrimEnd('/');
        foreach (var (key, value) in Environment)
        {
            start.Environment[key] = value;
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Name}");
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) Output?.Invoke(Name, e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Output?.Invoke(Name, e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Waits until <c>/health</c> answers 200, or throws when the process dies or time runs out.</summary>
    public async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process?.ExitCode} before it became healthy.");
            }

            try
            {
                using var response = await http.GetAsync("/health", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(250, cancellationToken);
        }

        throw new TimeoutException($"{Name} was not healthy after {timeout.TotalSeconds:0} s.");
    }

    public async Task StopAsync()
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }

        // SIGTERM lets ASP.NET Core drain and MassTransit close its channels; kill only if it hangs.
        await CommandLineSignal.TerminateAsync(_process, TimeSpan.FromSeconds(15));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
    }
}

internal static class CommandLineSignal
{
    public static async Task TerminateAsync(Process process, TimeSpan grace)
    {
        try
        {
            using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill!.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(grace);
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
