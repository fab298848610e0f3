using Microsoft.Extensions.Configuration;

namespace PortalPlatform.AppHost;

/// <summary>
/// The AppHost's own settings (section <c>Platform</c> of appsettings.json, overridable by the command line and by
/// <c>Platform__*</c> environment variables): where data is kept, fixed ports, replicas, the demo seed.
/// </summary>
public sealed class PlatformOptions
{
    public string DataDirectory { get; set; } = ".data";
    public bool Fresh { get; set; }
    public bool Seed { get; set; } = true;
    public int Replicas { get; set; } = 1;
    public PlatformPorts Ports { get; set; } = new();

    /// <summary>The repository root (the AppHost project's parent folder).</summary>
    public string RepositoryRoot { get; private set; } = "";

    public string DataPath(string resource) => Path.Combine(DataDirectory, resource);

    public static PlatformOptions From(IDistributedApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection("Platform").Get<PlatformOptions>() ?? new PlatformOptions();
        options.RepositoryRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        options.DataDirectory = Path.GetFullPath(options.DataDirectory, options.RepositoryRoot);
        if (options.Replicas is < 1 or > 8)
        {
            throw new ArgumentOutOfRangeException(nameof(Replicas), options.Replicas, "--replicas takes 1 to 8.");
        }

        if (options.Fresh && Directory.Exists(options.DataDirectory))
        {
            Directory.Delete(options.DataDirectory, recursive: true);
        }

        Directory.CreateDirectory(options.DataDirectory);
        return options;
    }

    /// <summary>
    /// The short flags README and DESIGN.md name (<c>--fresh</c>, <c>--no-seed</c>, <c>--replicas N</c>,
    /// <c>--gateway-port N</c>...), turned into configuration keys; anything else passes through unchanged.
    /// </summary>
    public static string[] Arguments(string[] args)
    {
        var flags = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["--fresh"] = "--Platform:Fresh=true",
            ["--no-seed"] = "--Platform:Seed=false",
        };
        var valued = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["--replicas"] = "Platform:Replicas",
            ["--data-dir"] = "Platform:DataDirectory",
            ["--gateway-port"] = "Platform:Ports:Gateway",
            ["--sms-port"] = "Platform:Ports:Sms",
            ["--smtp-port"] = "Platform:Ports:Smtp",
            ["--mail-port"] = "Platform:Ports:Mail",
            ["--postgres-port"] = "Platform:Ports:Postgres",
            ["--rabbitmq-port"] = "Platform:Ports:RabbitMq",
            ["--rabbitmq-management-port"] = "Platform:Ports:RabbitMqManagement",
        };
        var result = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (flags.TryGetValue(args[i], out var flag))
            {
                result.Add(flag);
            }
            else if (valued.TryGetValue(args[i], out var key) && i + 1 < args.Length)
            {
                result.Add($"--{key}={args[++i]}");
            }
            else
            {
                result.Add(args[i]);
            }
        }

        return [.. result];
    }
}

/// <summary>Fixed local ports (0 = any free port, chosen at start).</summary>
public sealed class PlatformPorts
{
    public int Gateway { get; set; } = 5100;
    public int Sms { get; set; } = 5104;
    public int Smtp { get; set; } = 2525;
    public int Mail { get; set; } = 5105;
    public int Postgres { get; set; } = 55432;
    public int RabbitMq { get; set; } = 55672;
    public int RabbitMqManagement { get; set; } = 55673;
}
