using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using PortalPlatform.Hosting.Local;
using PortalPlatform.Testing;
using Xunit.Abstractions;

namespace PortalPlatform.AppHost.Tests;

/// <summary>The ops dashboard in a real Chromium, against a running platform; screenshots go to artifacts/screenshots.</summary>
[Collection(AppHostCollection.Name)]
public sealed class DashboardBrowserTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "artifacts", "screenshots");

    private AppHostProcess _host = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        await DebianPackages.EnsureAsync(new Dictionary<string, string> { ["chromium"] = "/usr/bin/chromium" });
        _host = AppHostProcess.Start();
        await _host.WaitAllHealthyAsync(TimeSpan.FromMinutes(5));
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ChromiumArgs });
        Directory.CreateDirectory(Screenshots);
    }

    [Fact]
    public async Task Dashboard_shows_every_resource_running_an_invitation_trace_as_a_waterfall_and_the_captured_invitation_email()
    {
        // Given an invitation sent through the gateway
        using var portal = new PortalClient(_host);
        var admin = await portal.StaffTokenAsync("admin");
        const string email = "sam.browser@patients.test";
        var patientId = await portal.AddPatientAsync(admin, email, "+15550100999");
        await portal.SendOkAsync(HttpMethod.Post, $"/api/patients/{patientId}/portal/invitations", admin, new { });
        await portal.InvitationTokenAsync(email);
        var traceId = await Eventually.GetAsync(async () =>
        {
            var traces = await portal.Http.GetFromJsonAsync<JsonElement>(new Uri(_host.Dashboard, "/api/traces?service=notification&q=invitations"));
            return traces.EnumerateArray().Select(t => t.GetProperty("traceId").GetString()).FirstOrDefault();
        }, TimeSpan.FromSeconds(60), "the invitation's trace on the dashboard");

        var page = await _browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        try
        {
            // When the engineer opens the resources page, then every resource is listed as Running
            await page.GotoAsync(_host.Dashboard.ToString());
            foreach (var name in new[] { "postgres", "rabbitmq", "enrollment", "identity-verification", "notification", "gateway", "mail", "sms", "dashboard" })
            {
                var row = page.Locator($"tr[data-resource='{name}']");
                await Assertions.Expect(row).ToContainTextAsync("Running");
            }

            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Restart gateway" })).ToBeVisibleAsync();
            await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "resources.png"), FullPage = true });

            // When they open the invitation's trace from the traces list, then its waterfall spans gateway to notification
            await page.GotoAsync(new Uri(_host.Dashboard, "/traces.html").ToString());
            await page.Locator($"tr[data-trace='{traceId}'] a").ClickAsync();
            var rows = page.Locator(".span-row");
            await Assertions.Expect(rows.First).ToContainTextAsync("gateway");
            await Assertions.Expect(page.Locator(".span-row", new() { HasText = "notification" }).First).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator(".span-row", new() { HasText = "rabbitmq" }).First).ToBeVisibleAsync();
            await page.Locator(".span-row", new() { HasText = "rabbitmq" }).First.ClickAsync();
            await Assertions.Expect(page.Locator("#span-attributes")).ToContainTextAsync("messaging.system");
            await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "trace-waterfall.png"), FullPage = true });

            // When they open the mail page, then the invitation email is there
            await page.GotoAsync(new Uri(_host.Dashboard, "/mail.html").ToString());
            await Assertions.Expect(page.Locator("#mail tbody")).ToContainTextAsync(email);
            await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "mail.png"), FullPage = true });
            output.WriteLine($"screenshots in {Screenshots}");
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _host.DisposeAsync();
    }
}
