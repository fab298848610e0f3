using PortalPlatform.Testing.Platform;

namespace PortalPlatform.AppHostReplicaBenchmark;

/// <summary>The whole platform through the real AppHost with <c>--replicas N</c>.</summary>
public sealed class BenchmarkPlatform(int replicas) : AspirePlatform, IAsyncDisposable
{
    protected override int Replicas => replicas;

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();
}
