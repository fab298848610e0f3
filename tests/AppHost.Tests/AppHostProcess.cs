using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using PortalPlatform.Hosting.Local;
using PortalPlatform.Hosting.Resources;
using PortalPlatform.Testing;

namespace PortalPlatform.AppHost.Tests;

/// <summary>
/// The real AppHost, started as its own process from its build output with a fresh temporary data folder and
/// free, non-default ports; stopped with SIGINT like Ctrl+C.
/// </summary>
public sealed class AppHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private AppHostProcess(Process process, string dataDirectory, Dictionary<string, int> ports)
    {
        _process = process;
        DataDirectory = dataDirectory;
        Ports = ports;
        Gateway = new Uri($"http://127.0.0.1:{ports["gateway"]}");
        Dashboard = new Uri($"http://127.0.0.1:{ports["dashboard"]}");
    }

    public string DataDirectory { get; }
    public IReadOnlyDictionary<string, int> Ports { get; }
    public Uri Gateway { get; }
    public Uri Dashboard { get; }
    public int ProcessId => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join(Environment.NewLine, _output);
            }
        }
    }

    public static AppHostProcess Start(bool seed = false)
    {
        var root = RepositoryLayout.Root;
        var dll = Path.Combine(root, "AppHost", "bin", ProjectProcess.CurrentConfiguration, "net10.0", "PortalPlatform.AppHost.dll");
        var dataDirectory = Path.Combine(Path.GetTempPath(), "portalplatform-apphost-tests", Guid.NewGuid().ToString("N")[..12]);
        var ports = new[] { "gateway", "enrollment", "identity", "notification", "sms", "smtp", "dashboard", "otlp-grpc", "postgres", "rabbitmq", "rabbitmq-management" }
            .ToDictionary(name => name, _ => Hosting.Local.Ports.Free());
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { dll, "--fresh", "--data-dir", dataDirectory })
        {
            start.ArgumentList.Add(argument);
        }

        if (!seed)
        {
            start.ArgumentList.Add("--no-seed");
        }

        foreach (var (name, port) in ports)
        {
            start.ArgumentList.Add($"--{name}-port");
            start.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the AppHost");
        var host = new AppHostProcess(process, dataDirectory, ports);
        process.OutputDataReceived += (_, e) => host.Record(e.Data);
        process.ErrorDataReceived += (_, e) => host.Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Waits for "all resources healthy"; fails with the AppHost's output if it exits or times out.</summary>
    public async Task<TimeSpan> WaitAllHealthyAsync(TimeSpan timeout)
    {
        var line = await WaitForLineAsync("all resources healthy in ", timeout);
        var seconds = line[(line.IndexOf("healthy in ", StringComparison.Ordinal) + 11)..].Split(' ')[0];
        return TimeSpan.FromSeconds(double.Parse(seconds, CultureInfo.InvariantCulture));
    }

    public async Task<string> WaitForLineAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            lock (_output)
            {
                if (_output.FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal)) is { } line)
                {
                    return line;
                }
            }

            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The AppHost never printed '{text}' (exited: {_process.HasExited}). Its output:{Environment.NewLine}{Output}");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>Every process id the dashboard lists for a resource (services, PostgreSQL, RabbitMQ).</summary>
    public async Task<IReadOnlyList<(string Name, int Pid)>> ResourceProcessesAsync(HttpClient http)
    {
        var resources = await http.GetFromJsonAsync<JsonElement>(new Uri(Dashboard, "/api/resources"));
        return [.. resources.EnumerateArray()
            .Where(r => r.GetProperty("pid").ValueKind == JsonValueKind.Number)
            .Select(r => (r.GetProperty("name").GetString()!, r.GetProperty("pid").GetInt32()))];
    }

    /// <summary>Ctrl+C: SIGINT, then wait for the AppHost to stop everything and exit.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill!.WaitForExitAsync();
        }

        using var limit = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(limit.Token);
    }

    /// <summary>Processes still running whose command line mentions this run's data folder.</summary>
    public IReadOnlyList<string> ProcessesUsingDataDirectory() =>
        [.. Directory.EnumerateDirectories("/proc")
            .Where(d => int.TryParse(Path.GetFileName(d), out var pid) && pid != Environment.ProcessId)
            .Select(d => (Pid: Path.GetFileName(d), CommandLine: ReadCommandLine(d)))
            .Where(p => p.CommandLine.Contains(DataDirectory, StringComparison.Ordinal))
            .Select(p => $"{p.Pid}: {p.CommandLine}")];

    public static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited && !File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2].Equals("Z", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(TimeSpan.FromSeconds(90));
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
        await Eventually.TrueAsync(() => ProcessesUsingDataDirectory().Count == 0, TimeSpan.FromSeconds(30), "the AppHost's leftovers to go");
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }
    }

    private static string ReadCommandLine(string procDirectory)
    {
        try
        {
            return File.ReadAllText(Path.Combine(procDirectory, "cmdline")).Replace('\0', ' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
