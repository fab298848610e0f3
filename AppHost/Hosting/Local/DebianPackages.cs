namespace PortalPlatform.Hosting.Local;

/// <summary>
/// Installs Debian packages the platform needs when they are missing (a fresh machine has no RabbitMQ).
/// One install at a time across processes: parallel test assemblies share a lock file.
/// </summary>
public static class DebianPackages
{
    private static readonly SemaphoreSlim InProcess = new(1, 1);

    /// <param name="packages">Package names, each with the file whose presence says it is installed.</param>
    public static async Task EnsureAsync(IReadOnlyDictionary<string, string> packages, Action<string>? log = null, CancellationToken cancellationToken = default)
    {
        if (packages.Values.All(File.Exists))
        {
            return;
        }

        await InProcess.WaitAsync(cancellationToken);
        try
        {
            await using var crossProcess = await AcquireFileLockAsync(Path.Combine(Path.GetTempPath(), "portalplatform-apt.lock"), cancellationToken);
            var missing = packages.Where(p => !File.Exists(p.Value)).Select(p => p.Key).ToList();
            if (missing.Count == 0)
            {
                return;
            }

            if (Environment.UserName != "root" && !CommandLine.IsOnPath("sudo"))
            {
                throw new InvalidOperationException($"Missing Debian packages {string.Join(", ", missing)}; install them with apt-get.");
            }

            log?.Invoke($"installing Debian packages: {string.Join(' ', missing)}");
            var apt = Environment.UserName == "root" ? "apt-get" : "sudo";
            var prefix = Environment.UserName == "root" ? Array.Empty<string>() : ["apt-get"];
            var env = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
            await CommandLine.RunAsync(apt, [.. prefix, "-o", "DPkg::Lock::Timeout=600", "update", "-qq"], env, TimeSpan.FromMinutes(10), cancellationToken: cancellationToken);
            await CommandLine.RunAsync(apt, [.. prefix, "-o", "DPkg::Lock::Timeout=600", "install", "-y", "-qq", "--no-install-recommends", .. missing], env, TimeSpan.FromMinutes(15), cancellationToken: cancellationToken);
        }
        finally
        {
            InProcess.Release();
        }
    }

    /// <summary>The same, for a caller that cannot wait asynchronously (an AppHost describing its resources).</summary>
    public static void Ensure(IReadOnlyDictionary<string, string> packages) =>
        EnsureAsync(packages, Console.WriteLine).GetAwaiter().GetResult();

    /// <summary>The newest installed PostgreSQL server's bin folder, installing <c>postgresql</c> first when missing.</summary>
    public static string PostgresBinaries()
    {
        if (FindPostgresBinaries() is { } installed)
        {
            return installed;
        }

        Ensure(new Dictionary<string, string> { ["postgresql"] = "/usr/bin/psql" });
        return FindPostgresBinaries() ?? throw new InvalidOperationException("PostgreSQL server binaries not found under /usr/lib/postgresql after installing.");
    }

    private static string? FindPostgresBinaries() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(dir => Path.Combine(dir, "bin"))
                .Where(bin => File.Exists(Path.Combine(bin, "postgres")))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;

    private static async Task<FileStream> AcquireFileLockAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(500, cancellationToken);
            }
        }
    }
}
