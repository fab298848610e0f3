namespace PortalPlatform.Hosting.Resources;

/// <summary>Finds the repository (the folder holding PortalPlatform.sln) from a running program's location.</summary>
public static class RepositoryLayout
{
    public static string Root { get; } = FindRoot(AppContext.BaseDirectory);

    private static string FindRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PortalPlatform.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"PortalPlatform.sln not found above {start}.");
    }
}
