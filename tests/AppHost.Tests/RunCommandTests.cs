using System.Diagnostics;
using System.Globalization;
using PortalPlatform.AppHost.Tests.Replicas;
using PortalPlatform.Hosting.Local;
using PortalPlatform.Testing;
using Xunit.Abstractions;

namespace PortalPlatform.AppHost.Tests;

/// <summary>The README's run command as a person runs it: start, wait for the entry points, Ctrl+C, nothing left.</summary>
[Collection(RunCommandCollection.Name)]
public sealed class RunCommandTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Run_command_prints_the_entry_points_once_healthy_and_Ctrl_C_stops_every_process_with_PostgreSQL_shut_down_cleanly()
    {
        var data = Path.Combine(Path.GetTempPath(), "portalplatform-run", Guid.NewGuid().ToString("N")[..12]);
        var repository = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        var start = new ProcessStartInfo("setsid") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = repository };
        // A person's Ctrl+C reaches the whole foreground process group. setsid makes the run its own group; env puts
        // SIGINT back to its default, since a process started in the background inherits it ignored.
        foreach (var argument in new[]
                 {
                     "env", "--default-signal=INT", "dotnet", "run", "--project", "AppHost", "--no-build", "--no-launch-profile", "--", "--fresh", "--no-seed", "--data-dir", data,
                     "--gateway-port", Free(), "--sms-port", Free(), "--smtp-port", Free(), "--mail-port", Free(),
                     "--postgres-port", Free(), "--rabbitmq-port", Free(), "--rabbitmq-management-port", Free(),
                 })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Development"; // the AppHost is a generic host: DOTNET_, not ASPNETCORE_
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{Free()}";
        start.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{Free()}";
        start.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{Free()}";
        start.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";

        using var process = Process.Start(start)!;
        var printed = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, line) => { if (line.Data is not null) { printed.Enqueue(line.Data); } };
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) { printed.Enqueue(line.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            // When the platform has started, one line per entry point is printed
            await Eventually.TrueAsync(() => printed.Any(l => l.StartsWith("sms: ", StringComparison.Ordinal)), TimeSpan.FromMinutes(8), "the start-up summary");
            foreach (var name in new[] { "gateway", "dashboard", "mail", "sms" })
            {
                Assert.Contains(printed, l => l.StartsWith($"{name}: http://", StringComparison.Ordinal));
            }

            Assert.Contains(printed, l => l.StartsWith("dashboard: ", StringComparison.Ordinal) && l.Contains("/login?t=", StringComparison.Ordinal));
            output.WriteLine(printed.First(l => l.StartsWith("all resources healthy", StringComparison.Ordinal)));
            var servers = RunProcesses(process.Id);
            output.WriteLine($"platform memory: {servers.Count} processes, PSS {PssMegabytes(servers):0} MiB");
            Assert.Contains(servers, p => p.Command.Contains("postgres", StringComparison.Ordinal));
            Assert.Contains(servers, p => p.Command.Contains("beam.smp", StringComparison.Ordinal));

            // Then Ctrl+C stops every process of the run, and PostgreSQL shut down cleanly (no crash recovery next time)
            Process.Start("kill", ["-INT", "--", $"-{process.Id}"])!.WaitForExit();
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "the AppHost did not exit within 2 minutes of Ctrl+C");
            await Eventually.TrueAsync(() => servers.All(p => !Directory.Exists($"/proc/{p.Pid}")), TimeSpan.FromSeconds(30), "every process of the run to be gone");
            var control = await CommandLine.RunAsync(Path.Combine(DebianPackages.PostgresBinaries(), "pg_controldata"), [Path.Combine(data, "postgres")]);
            Assert.Contains("shut down", control.Split('\n').Single(l => l.StartsWith("Database cluster state", StringComparison.Ordinal)), StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
            {
                Process.Start("kill", ["-KILL", "--", $"-{process.Id}"])!.WaitForExit();
            }

            output.WriteLine(string.Join('\n', printed.TakeLast(40)));
        }
    }

    private static string Free() => Ports.Free().ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Every process of the run: the run command's descendants (the AppHost) and DCP's, which daemonizes and watches the
    /// AppHost (<c>--monitor PID</c>), with the servers and services under it.
    /// </summary>
    private static List<(int Pid, string Command)> RunProcesses(int runPid)
    {
        var processes = Directory.EnumerateDirectories("/proc")
            .Select(dir => int.TryParse(Path.GetFileName(dir), out var pid) ? pid : 0)
            .Where(pid => pid > 0)
            .Select(pid => (Pid: pid, Parent: Processes.ParentOf(pid), Command: Processes.ReadOrEmpty($"/proc/{pid}/cmdline").Replace('\0', ' ')))
            .ToList();
        var mine = new HashSet<int> { runPid };
        bool grew;
        do
        {
            grew = false;
            foreach (var process in processes.Where(p => !mine.Contains(p.Pid)))
            {
                if (mine.Contains(process.Parent) || mine.Any(pid => process.Command.Contains($"--monitor {pid} ", StringComparison.Ordinal)))
                {
                    grew |= mine.Add(process.Pid);
                }
            }
        }
        while (grew);

        return [.. processes.Where(p => mine.Contains(p.Pid)).Select(p => (p.Pid, p.Command))];
    }

    private static double PssMegabytes(IEnumerable<(int Pid, string Command)> processes) =>
        processes.Sum(p => Processes.ReadOrEmpty($"/proc/{p.Pid}/smaps_rollup").Split('\n')
            .Where(l => l.StartsWith("Pss:", StringComparison.Ordinal))
            .Sum(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture))) / 1024;
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunCommandCollection
{
    public const string Name = "the run command (its own platform, after the shared one)";
}
