namespace PortalPlatform.Testing;

/// <summary>
/// For benchmarks: the CPU time processes used and the time they spent runnable but waiting for a core, summed over
/// their threads (Linux <c>/proc/PID/task/TID/schedstat</c>; zero where there is no /proc).
/// </summary>
public static class ProcessCpu
{
    public static (TimeSpan Ran, TimeSpan Waited) OfThisProcess() => Of("/proc/self");

    /// <summary>Every process whose /proc directory <paramref name="matches"/> (its command line, its name), together.</summary>
    public static (TimeSpan Ran, TimeSpan Waited) OfProcesses(Func<string, bool> matches)
    {
        (TimeSpan Ran, TimeSpan Waited) total = default;
        foreach (var directory in Directory.Exists("/proc") ? Directory.EnumerateDirectories("/proc") : [])
        {
            try
            {
                if (int.TryParse(Path.GetFileName(directory), out _) && matches(directory))
                {
                    var (ran, waited) = Of(directory);
                    total = (total.Ran + ran, total.Waited + waited);
                }
            }
            catch (IOException)
            {
                // The process ended between listing and reading: its time is gone with it.
            }
        }

        return total;
    }

    /// <summary>A process's command line, arguments separated by spaces.</summary>
    public static string CommandLineOf(string directory) => File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');

    /// <summary>A process's name (<c>comm</c>).</summary>
    public static string NameOf(string directory) => File.ReadAllText(Path.Combine(directory, "comm")).Trim();

    private static (TimeSpan Ran, TimeSpan Waited) Of(string process)
    {
        long ran = 0, waited = 0;
        foreach (var task in Directory.EnumerateDirectories(Path.Combine(process, "task")))
        {
            try
            {
                var fields = File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ');
                ran += long.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture);
                waited += long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
            }
        }

        return (TimeSpan.FromTicks(ran / 100), TimeSpan.FromTicks(waited / 100)); // nanoseconds
    }
}
