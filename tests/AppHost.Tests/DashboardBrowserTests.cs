using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using PortalPlatform.Testing;
using Xunit.Abstractions;

namespace PortalPlatform.AppHost.Tests;

/// <summary>The ops dashboard in a real Chromium, against a running platform; screenshots go to artifacts/screenshots.</summary>
[Collection(AppHostCollection.Name)]
public sealed class DashboardBrowserTests(SeededPlatform platform, ITestOutputHelper output) : IClassFixture<SeededPlatform>
{
    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "artifacts", "screenshots");
    private AppHostProcess Host => platform.Host;

    [Fact]
    public async Task Dashboard_shows_every_resource_running_an_invitation_trace_as_a_waterfall_and_the_captured_invitation_email()
    {
        // Given an invitation sent through the gateway
        using var portal = new PortalClient(Host);
        var admin = await portal.StaffTokenAsync("admin");
        const string email = "sam.browser@patients.test";
        var patientId = await portal.AddPatientAsync(admin, email, "+15550100999");
        await portal.SendOkAsync(HttpMethod.Post, $"/api/patients/{patientId}/portal/invitations", admin, new { });
        await portal.InvitationTokenAsync(email);
        var traceId = await Eventually.GetAsync(async () =>
        {
            var traces = await portal.Http.GetFromJsonAsync<JsonElement>(new Uri(Host.Dashboard, $"/api/traces?service=notification&q={patientId}"));
            return traces.EnumerateArray().Select(t => t.GetProperty("traceId").GetString()).FirstOrDefault();
        }, TimeSpan.FromSeconds(60), "the invitation's trace on the dashboard");

        Directory.CreateDirectory(Screenshots);
        var page = await platform.Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        try
        {
            // When the engineer opens the resources page, then every resource is listed as Running
            await page.GotoAsync(Host.Dashboard.ToString());
            foreach (var name in new[] { "postgres", "rabbitmq", "enrollment", "identity-verification", "notification", "gateway", "mail", "sms", "dashboard" })
            {
                var row = page.Locator($"tr[data-resource='{name}']");
                await Assertions.Expect(row).ToContainTextAsync("Running");
            }

            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Restart gateway" })).ToBeVisibleAsync();
            await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "resources.png"), FullPage = true });

            // When they open the invitation's trace from the traces list, then its waterfall spans gateway to notification
            await page.GotoAsync(new Uri(Host.Dashboard, "/traces.html").ToString());
            await page.Locator($"tr[data-trace='{traceId}'] a").ClickAsync();
            var rows = page.Locator(".span-row");
            await Assertions.Expect(rows.First).ToContainTextAsync("gateway");
            await Assertions.Expect(page.Locator(".span-row", new() { HasText = "notification" }).First).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator(".span-row", new() { HasText = "rabbitmq" }).First).ToBeVisibleAsync();
            await page.Locator(".span-row", new() { HasText = "rabbitmq" }).First.ClickAsync();
            await Assertions.Expect(page.Locator("#span-attributes")).ToContainTextAsync("messaging.system");
            await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "trace-waterfall.png"), FullPage = true });

            // When they open the mail page, then the invitation email is there
            await page.GotoAsync(new Uri(Host.Dashboard, "/mail.html").ToString());
            await Assertions.Expect(page.Locator("#mail tbody")).ToContainTextAsync(email);
            await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "mail.png"), FullPage = true });
            output.WriteLine($"screenshots in {Screenshots}");
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    [Fact]
    public async Task Demo_seed_leaves_a_practice_with_patients_not_invited_invited_locked_enrolled_and_revoked()
    {
        // Given the AppHost started with the demo seed
        Assert.DoesNotContain("failed", platform.SeedLine, StringComparison.Ordinal);
        var practiceId = Guid.Parse(System.Text.RegularExpressions.Regex.Match(platform.SeedLine, "practice ([0-9a-f-]{36})").Groups[1].Value);
        using var http = new HttpClient { BaseAddress = Host.Gateway };
        var token = (await (await http.PostAsJsonAsync("/dev/token", new { practiceId, userId = "sam.staff", name = "Sam Front Desk", role = "staff" }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);

        // Then each demo patient's chart shows the status the seed promised, the revoked one with DESIGN.md's text
        var expected = new Dictionary<string, string>
        {
            ["demo-nora"] = "NotInvited", ["demo-ivan"] = "Invited", ["demo-lena"] = "VerificationLocked",
            ["demo-emma"] = "Enrolled", ["demo-rita"] = "AccessRevoked",
        };
        foreach (var (patientId, status) in expected)
        {
            var portal = await Eventually.GetAsync(async () =>
            {
                var body = await http.GetFromJsonAsync<JsonElement>($"/api/patients/{patientId}/portal");
                return body.GetProperty("status").GetString() == status ? (object)body : null;
            }, TimeSpan.FromSeconds(30), $"{patientId} in status {status}");
            if (status == "AccessRevoked")
            {
                Assert.Equal("Access revoked", ((JsonElement)portal).GetProperty("statusText").GetString());
            }
        }

        // And the seed reports that it added all five (a later run with the same data adds none)
        Assert.Contains("5 patients added", platform.SeedLine, StringComparison.Ordinal);
    }
}
