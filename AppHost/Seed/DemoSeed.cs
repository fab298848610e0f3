using PortalPlatform.Hosting.ApplicationModel;

namespace PortalPlatform.AppHost;

public static class DemoSeed
{
    public static Task RunAsync(Uri gateway, IResourceController app, Action<string> log, CancellationToken cancellationToken) => Task.CompletedTask;
}
