using PortalPlatform.Hosting.ApplicationModel;

namespace PortalPlatform.Hosting.Resources;

/// <summary>
/// A service project run as a child process (see <see cref="ProjectProcess"/>). Its environment is computed at
/// each start from its references, so a restart gets the same contract.
/// </summary>
public sealed class ProjectResource(string name, string projectDirectory, string assemblyName, int port, string runDirectory)
    : Resource(name), IOrphanCleanup
{
    private ProjectProcess? _process;

    public string ProjectDirectory { get; } = projectDirectory;
    public string AssemblyName { get; } = assemblyName;
    public int Port { get; } = port;
    public Uri Url => new($"http://127.0.0.1:{Port}");
    public override string Type => "project";
    public override IReadOnlyList<ResourceEndpoint> Endpoints => [new("http", Url)];
    public override IEnumerable<(int Port, string What)> PortsToCheck => [(Port, Name)];
    public override int? ProcessId => _process?.ProcessId;
    public override bool CanRestart => true;

    /// <summary>Environment variables, each computed when the process starts.</summary>
    public Dictionary<string, Func<string>> Environment { get; } = new(StringComparer.Ordinal);

    /// <summary>The environment the running process was given (the dashboard shows names, not secrets).</summary>
    public IReadOnlyDictionary<string, string> EffectiveEnvironment { get; private set; } = new Dictionary<string, string>();

    public bool EchoToConsole { get; set; }

    private string PidFile => Path.Combine(runDirectory, Name + ".pid");

    protected internal override Task StartAsync(ResourceContext context, CancellationToken cancellationToken)
    {
        var process = new ProjectProcess(Name, ProjectDirectory, AssemblyName, Port);
        foreach (var (key, value) in Environment)
        {
            process.Environment[key] = value();
        }

        EffectiveEnvironment = new Dictionary<string, string>(process.Environment);
        process.OutputLine += (_, line, isError) =>
        {
            Console.Add(line, isError);
            if (EchoToConsole || context.Options.Verbose)
            {
                System.Console.WriteLine($"[{Name}] {line}");
            }
        };
        process.Crashed += code =>
        {
            File.Delete(PidFile);
            ReportCrash($"exited with code {code}");
        };
        process.Start();
        _process = process;
        Directory.CreateDirectory(runDirectory);
        File.WriteAllText(PidFile, process.ProcessId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "");
        return Task.CompletedTask;
    }

    protected internal override async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.StopAsync();
        }

        File.Delete(PidFile);
    }

    protected internal override Task<bool> IsHealthyAsync(CancellationToken cancellationToken) =>
        _process?.IsHealthyAsync(cancellationToken) ?? Task.FromResult(false);

    public string OrphanCleanupCommand() =>
        $"pid=$(cat '{PidFile}' 2>/dev/null); [ -n \"$pid\" ] && kill -9 $pid 2>/dev/null; rm -f '{PidFile}'";
}
