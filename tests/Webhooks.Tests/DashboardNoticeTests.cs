using System.Text.Json;
using Microsoft.Playwright;
using PortalPlatform.ServiceDefaults.Security;
using PortalPlatform.Testing;

namespace PortalPlatform.Webhooks.Tests;

/// <summary>
/// The practice dashboard (the gateway's staff page) in Chromium: an admin sees the endpoint the service gave up on,
/// and brings it back from there once the receiver is fixed; another practice's admin sees nothing of it.
/// </summary>
public sealed class DashboardNoticeTests(QuickToDisableServers servers) : IClassFixture<QuickToDisableServers>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout(30_000);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    [Fact]
    public async Task An_admin_sees_a_disabled_endpoint_on_the_dashboard_and_enables_it_again_there()
    {
        // Given an endpoint of this practice and one of another practice, both failing until the service gives up
        var (practice, otherPractice) = (Guid.NewGuid(), Guid.NewGuid());
        var (path, otherPath) = (WebhookServers.NewPath(), WebhookServers.NewPath());
        var failing = true;
        servers.Receiver.Answer(path, () => Volatile.Read(ref failing) ? 500 : 200);
        servers.Receiver.Answer(otherPath, () => 500);
        var admin = servers.Admin(practice);
        var other = servers.Admin(otherPractice);
        var subscription = await admin.SubscribeAsync(servers.Receiver.UrlOf(path));
        var otherSubscription = await other.SubscribeAsync(servers.Receiver.UrlOf(otherPath));
        var invited = WebhookServers.Invited(practice, WebhookServers.NewPatient(), DateTimeOffset.UtcNow);
        await servers.PublishAsync(invited);
        await servers.PublishAsync(WebhookServers.Invited(otherPractice, WebhookServers.NewPatient(), DateTimeOffset.UtcNow));
        await Eventually.TrueAsync(async () => (await admin.SubscriptionAsync(subscription.Id)).Enabled is false, Patience, "the subscription disabled");
        await Eventually.TrueAsync(async () => (await other.SubscriptionAsync(otherSubscription.Id)).Enabled is false, Patience, "the other practice's subscription disabled");

        // Then the other practice's admin sees only their own endpoint in the notice
        var otherNotice = Notice(await OpenDashboardAsync(otherPractice));
        await Assertions.Expect(otherNotice).ToContainTextAsync(servers.Receiver.UrlOf(otherPath));
        await Assertions.Expect(otherNotice).Not.ToContainTextAsync(servers.Receiver.UrlOf(path));

        // And this practice's admin sees theirs, with the reason
        var notice = Notice(await OpenDashboardAsync(practice));
        await Assertions.Expect(notice).ToContainTextAsync(servers.Receiver.UrlOf(path));
        await Assertions.Expect(notice).ToContainTextAsync("Disabled automatically");
        await Assertions.Expect(notice).Not.ToContainTextAsync(servers.Receiver.UrlOf(otherPath));

        // When the receiver is fixed and the admin enables it again from the dashboard
        Volatile.Write(ref failing, false);
        await notice.GetByRole(AriaRole.Button, new() { Name = $"Enable {servers.Receiver.UrlOf(path)} again" }).ClickAsync();

        // Then the pending delivery arrives and the subscription is enabled
        await Assertions.Expect(notice.GetByRole(AriaRole.Status)).ToHaveTextAsync("Enabled again: its pending deliveries resume.");
        await Eventually.TrueAsync(() => servers.Receiver.AcceptedAt(path).Any(r => r.WebhookId == invited.EventId.ToString()), Patience, "the pending delivery after enabling");
        Assert.True((await admin.SubscriptionAsync(subscription.Id)).Enabled);
    }

    private static ILocator Notice(IPage page) => page.GetByRole(AriaRole.Region, new() { Name = "Webhook deliveries stopped" });

    /// <summary>The dashboard, signed in as an admin of <paramref name="practiceId"/> (the token where the sign-in page keeps it).</summary>
    private async Task<IPage> OpenDashboardAsync(Guid practiceId)
    {
        var token = TestIdentityProvider.Started.Issue(new StaffUser(practiceId, "admin-1", "Alex Admin", StaffRoles.Admin));
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = servers.GatewayAddress.ToString() });
        await page.AddInitScriptAsync($"sessionStorage.setItem('portalplatform.staffToken', {JsonSerializer.Serialize(token)});");
        await page.GotoAsync("/dashboard");
        return page;
    }
}
