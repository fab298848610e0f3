using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace PortalPlatform.ServiceDefaults.Http;

/// <summary>
/// The client's address for per-address limits: taken from <c>X-Forwarded-For</c> only when the connection comes
/// from a configured proxy (section <c>ForwardedHeaders</c>: <c>KnownProxies</c> addresses, <c>KnownNetworks</c>
/// CIDR ranges; loopback only when neither is set), otherwise the connection's own address. Call
/// <c>app.UseForwardedHeaders()</c> first in the pipeline.
/// </summary>
public static class ForwardedClientAddress
{
    public const string Section = "ForwardedHeaders";

    public static TBuilder AddForwardedClientAddress<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var section = builder.Configuration.GetSection(Section);
        var proxies = section.GetSection("KnownProxies").Get<string[]>() ?? [];
        var networks = section.GetSection("KnownNetworks").Get<string[]>() ?? [];
        builder.Services.Configure<ForwardedHeadersOptions>(forwarded =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            if (proxies.Length + networks.Length == 0)
            {
                return;
            }

            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in networks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
        return builder;
    }
}
