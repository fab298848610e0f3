using System.Diagnostics;

namespace PortalPlatform.Hosting.Resources;

/// <summary>
/// One service run as a child process from its build output, with the environment an Aspire AppHost would give
/// it; its console output is forwarded line by line to <see cref="Output"/>. Can be started again after it exits.
/// </summary>
public sealed class ProjectProcess(string name, string projectDirectory, string assemblyName, int port) : IAsyncDisposable
{
    private Process? _process;
    private bool _stopping;

    public string Name { get; } = name;
    public int Port { get; } = port;
    public Uri Url => new($"http://127.0.0.1:{Port}");
    public Dictionary<string, string> Environment { get; } = new();

    /// <summary>Resource name and one line; the flag says whether it came from standard error.</summary>
    public event Action<string, string>? Output;
    public event Action<string, string, bool>? OutputLine;

    /// <summary>The process ended without being asked to (its exit code).</summary>
    public event Action<int>? Crashed;

    public bool HasExited => _process is null || _process.HasExited;
    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    /// <summary>The build configuration the AppHost itself runs from (Debug unless built otherwise).</summary>
    public static string CurrentConfiguration { get; } =
        new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent?.Name is { } c && c is "Debug" or "Release" ? c : "Debug";

    public void Start(string? configuration = null)
    {
        var dll = Path.Combine(projectDirectory, "bin", configuration ?? CurrentConfiguration, "net10.0", assemblyName + ".dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{Name}: {dll} is not built; run 'dotnet build' first.", dll);
        }

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = projectDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.Environment["ASPNETCORE_URLS"] = Url.ToString().TrimEnd('/');
        foreach (var (key, value) in Environment)
        {
            start.Environment[key] = value;
        }

        _stopping = false;
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Forward(e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => Forward(e.Data, isError: true);
        process.Exited += (_, _) =>
        {
            if (!_stopping)
            {
                Crashed?.Invoke(process.ExitCode);
            }
        };
        if (!process.Start())
        {
            throw new InvalidOperationException($"could not start {Name}");
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    /// <summary>Waits until <c>/health</c> answers 200, or throws when the process dies or time runs out.</summary>
    public async Task WaitHealthyAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {_process?.ExitCode} before it became healthy.");
            }

            if (await IsHealthyAsync(cancellationToken))
            {
                return;
            }

            await Task.Delay(250, cancellationToken);
        }

        throw new TimeoutException($"{Name} was not healthy after {timeout.TotalSeconds:0} s.");
    }

    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>One look at <c>/health</c>: true only for 200.</summary>
    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken = default)
    {
        if (HasExited)
        {
            return false;
        }

        try
        {
            using var response = await Probe.GetAsync(new Uri(Url, "/health"), cancellationToken);
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

    public async Task StopAsync()
    {
        _stopping = true;
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

    private void Forward(string? line, bool isError)
    {
        if (line is null)
        {
            return;
        }

        Output?.Invoke(Name, line);
        OutputLine?.Invoke(Name, line, isError);
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
            await process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
