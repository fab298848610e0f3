using System.Net;
using System.Net.Http.Json;

namespace PortalPlatform.IdentityVerification.Tests;

public sealed class RateLimitedHost : IdentityHost
{
    protected override Dictionary<string, string?> Overrides()
    {
        var overrides = base.Overrides();
        overrides["PatientRateLimit:PermitLimit"] = "3";
        overrides["PatientRateLimit:Window"] = "00:10:00";
        return overrides;
    }
}

public sealed class RateLimitTests(RateLimitedHost host) : IClassFixture<RateLimitedHost>
{
    [Fact]
    public async Task Patient_endpoints_are_limited_per_client_address()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await host.Client.PostAsJsonAsync("/portal/api/registration/code", new { token = "any-token-" + i })).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests], statuses);
        // Other client addresses (as the gateway forwards them) have their own allowance.
        using var fromElsewhere = new HttpRequestMessage(HttpMethod.Post, "/portal/api/sign-in") { Content = JsonContent.Create(new { username = "a", password = "b" }) };
        fromElsewhere.Headers.Add("X-Forwarded-For", "203.0.113.7");
        Assert.NotEqual(HttpStatusCode.TooManyRequests, (await host.Client.SendAsync(fromElsewhere)).StatusCode);
    }
}
