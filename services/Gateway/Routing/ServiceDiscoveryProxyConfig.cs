using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;

namespace PortalPlatform.Gateway.Routing;

/// <summary>
/// Feeds YARP the fixed routes and clusters whose destinations are read from configuration when YARP asks, and again
/// whenever configuration reloads (so a service that moves is followed without a restart).
/// </summary>
public sealed class ServiceDiscoveryProxyConfig(IConfiguration configuration) : IProxyConfigProvider
{
    public IProxyConfig GetConfig() => new Snapshot(ServiceRoutes.Routes, ServiceRoutes.ClustersFrom(configuration), configuration.GetReloadToken());

    private sealed record Snapshot(IReadOnlyList<RouteConfig> Routes, IReadOnlyList<ClusterConfig> Clusters, IChangeToken ChangeToken) : IProxyConfig;
}
