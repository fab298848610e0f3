using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace PortalPlatform.AppHost.Tests.Replicas;

/// <summary>One running replica of a service: its Aspire resource instance and the operating-system process DCP started.</summary>
public sealed record ServiceReplica(string Service, string ResourceId, int Pid)
{
    /// <summary>Whether this replica's process (or a child of it) owns a TCP connection from the given local port.</summary>
    public bool OwnsLocalPort(int port) => Processes.SelfAndDescendants(Pid).Any(pid => Processes.LocalPortsOf(pid).Contains(port));
}

/// <summary>Finds the replicas of a service in the AppHost's resource snapshots and reads /proc about their processes.</summary>
public static class Processes
{
    /// <summary>
    /// The running replicas of each of <paramref name="services"/>, with the process id of each, from the snapshots
    /// Aspire keeps per resource instance (a watch starts with the current snapshot of every instance).
    /// </summary>
    public static async Task<Dictionary<string, List<ServiceReplica>>> ReplicasAsync(DistributedApplication app, IReadOnlyCollection<string> services, int replicas)
    {
        var found = new Dictionary<string, ServiceReplica>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var update in app.ResourceNotifications.WatchAsync(timeout.Token))
        {
            if (services.Contains(update.Resource.Name) && update.Snapshot.State?.Text == KnownResourceStates.Running && PidOf(update.Snapshot) is { } pid)
            {
                found[update.ResourceId] = new ServiceReplica(update.Resource.Name, update.ResourceId, pid);
                if (found.Count == services.Count * replicas)
                {
                    break;
                }
            }
        }

        return services.ToDictionary(s => s, s => found.Values.Where(r => r.Service == s).ToList());
    }

    /// <summary>The executable's process id in a resource snapshot (property <c>executable.pid</c>), while it has one.</summary>
    public static int? PidOf(CustomResourceSnapshot snapshot) =>
        snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } value && value.ToString() is { Length: > 0 } text
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : null;

    public static bool IsAlive(int pid) => File.Exists($"/proc/{pid}/stat") && !ReadOrEmpty($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);

    public static string CommandLineOf(int pid) => ReadOrEmpty($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();

    public static IReadOnlyList<int> SelfAndDescendants(int pid)
    {
        var parents = Directory.EnumerateDirectories("/proc")
            .Select(dir => int.TryParse(Path.GetFileName(dir), out var p) ? p : 0)
            .Where(p => p > 0)
            .Select(p => (Pid: p, Parent: ParentOf(p)))
            .ToList();
        var found = new List<int> { pid };
        for (var i = 0; i < found.Count; i++)
        {
            found.AddRange(parents.Where(p => p.Parent == found[i]).Select(p => p.Pid));
        }

        return found;
    }

    /// <summary>Local ports of the TCP sockets (IPv4 and IPv6) the process holds open: /proc/PID/fd joined with /proc/net/tcp*.</summary>
    public static HashSet<int> LocalPortsOf(int pid)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var fd in Directory.EnumerateFiles($"/proc/{pid}/fd"))
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith("socket:[", StringComparison.Ordinal))
                {
                    inodes.Add(target[8..^1]);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        // Columns: sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...; the address is HEX:PORT.
        return [.. new[] { "/proc/net/tcp", "/proc/net/tcp6" }
            .SelectMany(table => ReadOrEmpty(table).Split('\n').Skip(1))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(columns => columns.Length > 9 && inodes.Contains(columns[9]))
            .Select(columns => int.Parse(columns[1][(columns[1].LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture))];
    }

    /// <summary>The parent's process id from <c>/proc/PID/stat</c>, or -1 once the process is gone.</summary>
    public static int ParentOf(int pid)
    {
        // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so count from the last ')'.
        var stat = ReadOrEmpty($"/proc/{pid}/stat");
        var fields = stat.Length == 0 ? [] : stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return fields.Length > 1 && int.TryParse(fields[1], out var parent) ? parent : -1;
    }

    /// <summary>A file under /proc, or empty when the process went away meanwhile.</summary>
    public static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
