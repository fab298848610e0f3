using System.Net;
using PortalPlatform.Hosting.Local;
using PortalPlatform.Testing;

namespace PortalPlatform.Gateway.Tests.RateLimits;

/// <summary>
/// The per-address limit reads X-Forwarded-For only from configured proxies: over a real socket from 127.0.0.1, a
/// gateway that trusts only another proxy keeps one bucket whatever the header says; one that trusts loopback
/// gives each forwarded client its own.
/// </summary>
public sealed class ForwardedAddressTests : IsolatedServers
{
    private const int Limit = 3;

    [Theory]
    [InlineData("10.9.9.9", false)]
    [InlineData("127.0.0.1", true)]
    public async Task X_forwarded_for_counts_only_from_a_known_proxy(string knownProxy, bool forwardedClientsAreApart)
    {
        var port = Ports.Free();
        await using var gateway = new ServiceFactory<GatewayService>(this, GatewayService.Name, new Dictionary<string, string?>
        {
            ["Gateway:PatientRequestsPerWindow"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gateway:PatientRateLimitWindow"] = "00:10:00",
            ["ForwardedHeaders:KnownProxies:0"] = knownProxy,
        });
        gateway.UseKestrel(port);
        gateway.StartServer();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= Limit; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/portal/api/sign-in");
            request.Headers.Add("X-Forwarded-For", $"198.51.100.{i + 1}");
            statuses.Add((await client.SendAsync(request)).StatusCode);
        }

        // No Identity-Verification runs behind this gateway, so an admitted request gets 502 (the service-discovery
        // resolver leaves the cluster an address nobody answers on); a limited one 429.
        Assert.Equal(
            forwardedClientsAreApart
                ? [HttpStatusCode.BadGateway, HttpStatusCode.BadGateway, HttpStatusCode.BadGateway, HttpStatusCode.BadGateway]
                : [HttpStatusCode.BadGateway, HttpStatusCode.BadGateway, HttpStatusCode.BadGateway, HttpStatusCode.TooManyRequests],
            statuses);
    }
}
