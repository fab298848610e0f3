using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Options;
using PortalPlatform.Webhooks.Deliveries;
using PortalPlatform.Webhooks.Inbound;
using PortalPlatform.Webhooks.Security;

namespace PortalPlatform.Webhooks.Tests;

/// <summary>The service as it runs outside Development: no internal targets.</summary>
public sealed class OutsideDevelopmentServers : WebhookServers
{
    protected override Dictionary<string, string?> WebhookSettings => new() { ["Webhooks:PollInterval"] = "00:00:00.050" };
}

/// <summary>Outside Development a webhook may only go to a public https address, checked at registration and on every connection.</summary>
public sealed class SafetyTests(OutsideDevelopmentServers servers) : IClassFixture<OutsideDevelopmentServers>
{
    [Theory]
    [InlineData("https://127.0.0.1/hook")]
    [InlineData("https://localhost/hook")]
    [InlineData("https://10.1.2.3/hook")]
    [InlineData("https://192.168.0.10/hook")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("https://[::1]/hook")]
    [InlineData("https://[fd00::1]/hook")]
    [InlineData("http://203.0.113.5/hook")]
    public async Task A_private_or_plain_http_target_is_refused_at_registration(string url)
    {
        var admin = servers.Admin(Guid.NewGuid());

        var response = await admin.PostAsJsonAsync("/api/practice/webhooks", new { url });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("url", out _), problem.ToString());
        Assert.Empty((await admin.GetFromJsonAsync<List<JsonElement>>("/api/practice/webhooks"))!);
    }

    [Fact]
    public async Task A_public_https_target_is_accepted()
    {
        var created = await servers.Admin(Guid.NewGuid()).SubscribeAsync("https://203.0.113.5/hook");

        Assert.StartsWith("whsec_", created.Secret);
    }

    [Fact]
    public async Task At_delivery_time_a_connection_to_an_internal_address_is_refused_and_nothing_reaches_it()
    {
        var path = WebhookServers.NewPath();
        var received = new ReceivedEvent(Guid.NewGuid(), Guid.NewGuid(), "P-1", "com.portalplatform.enrollment.invite-issued.v1", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, "{}");
        using var strict = Sender(allowPrivateTargets: false);
        using var lenient = Sender(allowPrivateTargets: true);
        string[] secrets = ["whsec_" + Convert.ToBase64String(new byte[32])];

        var refused = await strict.SendAsync(servers.Receiver.UrlOf(path), received, secrets, CancellationToken.None);
        var refusedByName = await strict.SendAsync($"http://localhost:{servers.Receiver.Port}/{path}", received, secrets, CancellationToken.None);
        var allowed = await lenient.SendAsync(servers.Receiver.UrlOf(path), received, secrets, CancellationToken.None);

        Assert.Null(refused.StatusCode);
        Assert.Contains("public address", refused.Error);
        Assert.Contains("public address", refusedByName.Error);
        Assert.Equal(200, allowed.StatusCode); // the same receiver would have been reached
        Assert.Single(servers.Receiver.At(path));
    }

    private static WebhookSender Sender(bool allowPrivateTargets)
    {
        var options = Options.Create(new WebhookOptions { AllowPrivateTargets = allowPrivateTargets });
        return new WebhookSender(new TargetPolicy(options), options, TimeProvider.System);
    }
}
