using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace PortalPlatform.Hosting.Local;

/// <summary>
/// A private RabbitMQ node (Debian's rabbitmq-server, installed when missing): loopback only, its own data, log,
/// Erlang cookie and epmd port, with the management plugin for the broker UI and virtual-host set-up.
/// </summary>
public sealed class LocalRabbitMq(string directory, int amqpPort, int managementPort, bool throwaway = false) : IAsyncDisposable
{
    private const string Bin = "/usr/lib/rabbitmq/bin";
    public const string User = "guest";
    public const string Password = "guest";

    public string Directory { get; } = Path.GetFullPath(directory);
    public int AmqpPort { get; } = amqpPort;
    public int ManagementPort { get; } = managementPort;
    public bool Throwaway { get; } = throwaway;

    // Derived from the directory so a persistent node keeps its name (its data is filed under it) across runs.
    private string NodeName => $"portal{(uint)StableHash(Directory)}@localhost";
    private int DistributionPort => AmqpPort + 20000 <= 65535 ? AmqpPort + 20000 : AmqpPort - 20000;
    private int EpmdPort => ManagementPort + 20000 <= 65535 ? ManagementPort + 20000 : ManagementPort - 20000;
    private string PidFile => Path.Combine(Directory, "rabbit.pid");

    public string ConnectionString(string virtualHost = "/") =>
        $"amqp://{User}:{Password}@127.0.0.1:{AmqpPort}/{Uri.EscapeDataString(virtualHost)}";

    public Uri ManagementUri => new($"http://127.0.0.1:{ManagementPort}/");

    public async Task StartAsync(Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        await DebianPackages.EnsureAsync(new Dictionary<string, string> { ["rabbitmq-server"] = Path.Combine(Bin, "rabbitmq-server") }, log, cancellationToken);
        if (await IsRunningAsync(cancellationToken))
        {
            log?.Invoke($"RabbitMQ already running in {Directory}");
            return;
        }

        Ports.EnsureFree(AmqpPort, "RabbitMQ (AMQP)");
        Ports.EnsureFree(ManagementPort, "RabbitMQ management");
        WriteConfiguration();
        // The detached VM would inherit our output pipes and hold them open: give it none.
        // An inherited "ignore SIGCHLD" breaks its fork: restore the default first.
        await CommandLine.RunAsync("bash", ["-c", $"exec env --default-signal=CHLD {Path.Combine(Bin, "rabbitmq-server")} -detached </dev/null >>{Path.Combine(Directory, "log", "startup.log")} 2>&1"], Environment(), cancellationToken: cancellationToken);
        var ctl = Path.Combine(Bin, "rabbitmqctl");
        await CommandLine.RunAsync(ctl, ["wait", "--timeout", "90", PidFile], Environment(), TimeSpan.FromSeconds(100), cancellationToken: cancellationToken);
        await CommandLine.RunAsync(ctl, ["await_startup", "--timeout", "90"], Environment(), TimeSpan.FromSeconds(100), cancellationToken: cancellationToken);
        log?.Invoke($"RabbitMQ listening on 127.0.0.1:{AmqpPort} (management on {ManagementPort})");
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (!File.Exists(PidFile))
        {
            return;
        }

        if (Throwaway)
        {
            await CommandLine.RunAsync("bash", ["-c", KillCommandLine()], check: false, cancellationToken: cancellationToken);
            return;
        }

        await CommandLine.RunAsync(Path.Combine(Bin, "rabbitmqctl"), ["stop", PidFile], Environment(), TimeSpan.FromSeconds(60), check: false, cancellationToken: cancellationToken);
        await CommandLine.RunAsync("epmd", ["-kill"], Environment(), check: false, cancellationToken: cancellationToken);
        File.Delete(PidFile);
    }

    /// <summary>Creates a virtual host (tests isolate themselves in one each) and lets the guest user use it.</summary>
    public Task CreateVirtualHostAsync(string name, CancellationToken cancellationToken = default) =>
        CreateVirtualHostAsync(ManagementUri, User, Password, name, cancellationToken);

    public static async Task CreateVirtualHostAsync(Uri management, string user, string password, string name, CancellationToken cancellationToken = default)
    {
        using var http = new HttpClient { BaseAddress = management };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        var vhost = Uri.EscapeDataString(name);
        (await http.PutAsync($"api/vhosts/{vhost}", null, cancellationToken)).EnsureSuccessStatusCode();
        (await http.PutAsJsonAsync($"api/permissions/{vhost}/{Uri.EscapeDataString(user)}", new { configure = ".*", write = ".*", read = ".*" }, cancellationToken)).EnsureSuccessStatusCode();
    }

    /// <summary>A shell line that kills the node and its epmd at once, for watchdogs and throwaway nodes.</summary>
    public string KillCommandLine() =>
        $"pid=$(cat '{PidFile}' 2>/dev/null); if [ -n \"$pid\" ]; then kill -9 $pid 2>/dev/null; while kill -0 $pid 2>/dev/null; do sleep 0.1; done; fi; rm -f '{PidFile}'; " +
        $"ERL_EPMD_PORT={EpmdPort} epmd -kill >/dev/null 2>&1; true";

    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task<bool> IsRunningAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(PidFile))
        {
            return false;
        }

        var output = await CommandLine.RunAsync(Path.Combine(Bin, "rabbitmqctl"), ["status"], Environment(), TimeSpan.FromSeconds(30), check: false, cancellationToken: cancellationToken);
        return output.Contains("Runtime", StringComparison.Ordinal) && !output.Contains("Error", StringComparison.Ordinal);
    }

    private void WriteConfiguration()
    {
        foreach (var dir in new[] { Directory, Path.Combine(Directory, "mnesia"), Path.Combine(Directory, "log") })
        {
            System.IO.Directory.CreateDirectory(dir);
        }

        File.WriteAllText(Path.Combine(Directory, "rabbitmq.conf"), $"""
            listeners.tcp.default = 127.0.0.1:{AmqpPort}
            management.tcp.ip = 127.0.0.1
            management.tcp.port = {ManagementPort}
            loopback_users = none
            log.console = false
            log.file.level = warning
            """);
        File.WriteAllText(Path.Combine(Directory, "enabled_plugins"), "[rabbitmq_management].");
        File.WriteAllText(Path.Combine(Directory, "rabbitmq-env.conf"), "");
    }

    private Dictionary<string, string> Environment()
    {
        var cliPort = Ports.Free().ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new()
        {
        ["HOME"] = Directory,
        ["RABBITMQ_NODENAME"] = NodeName,
        ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
        ["RABBITMQ_NODE_PORT"] = AmqpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RABBITMQ_DIST_PORT"] = DistributionPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RABBITMQ_MNESIA_BASE"] = Path.Combine(Directory, "mnesia"),
        ["RABBITMQ_LOG_BASE"] = Path.Combine(Directory, "log"),
        ["RABBITMQ_PID_FILE"] = PidFile,
        ["RABBITMQ_CONFIG_FILE"] = Path.Combine(Directory, "rabbitmq.conf"),
        ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(Directory, "enabled_plugins"),
        ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(Directory, "rabbitmq-env.conf"),
        ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
        ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
        ["ERL_EPMD_PORT"] = EpmdPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        // The CLI tools are Erlang nodes too: without their own port they race the booting server for its one.
        ["RABBITMQ_CTL_DIST_PORT_MIN"] = cliPort,
        ["RABBITMQ_CTL_DIST_PORT_MAX"] = cliPort,
        };
    }

    private static int StableHash(string text)
    {
        unchecked
        {
            var hash = (int)2166136261;
            foreach (var c in text)
            {
                hash = (hash ^ c) * 16777619;
            }

            return hash;
        }
    }
}
