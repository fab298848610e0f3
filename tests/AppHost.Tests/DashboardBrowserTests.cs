using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PortalPlatform.Testing;
using PortalPlatform.Testing.Platform;

namespace PortalPlatform.AppHost.Tests;

/// <summary>The Aspire dashboard as ops see it, in Chromium: resources, an invitation's trace, structured logs.</summary>
[Collection(AppHostCollection.Name)]
public sealed class DashboardBrowserTests(AspirePlatform platform)
{
    [Fact]
    public async Task Dashboard_shows_every_resource_an_invitation_trace_and_structured_logs()
    {
        // Given an invitation, so there is a trace to look at
        using var portal = new PortalClient(platform);
        var admin = await portal.StaffTokenAsync("admin");
        var patientId = await portal.AddPatientAsync(admin, "dana.dashboard@patients.test", "+12025550156");
        await portal.SendOkAsync(HttpMethod.Post, $"/api/patients/{patientId}/portal/invitations", admin, new { });
        await portal.InvitationTokenAsync("dana.dashboard@patients.test");

        var page = await platform.Browser.NewPageAsync(new BrowserNewPageOptions { BaseURL = platform.DashboardAddress.ToString(), ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } });
        try
        {
            // When ops sign in with the login link the AppHost prints
            await page.GotoAsync(platform.DashboardLoginUrl.ToString());

            // Then the resources page lists every resource of the topology
            foreach (var resource in new[] { "gateway", "enrollment", "identity-verification", "notification", "postgres", "enrollmentdb", "rabbitmq", "mail", "sms" })
            {
                await Assertions.Expect(page.GetByText(resource, new() { Exact = true }).First).ToBeVisibleAsync(new() { Timeout = 60_000 });
            }

            await platform.ScreenshotAsync(page, "dashboard-resources");

            // And the traces page lists the invitation request through the gateway (YARP names it by its route), across
            // the services, and its waterfall opens with the Notification service's spans in it
            await page.GotoAsync("/traces");
            var invitation = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "gateway: POST /api/{**rest}" }).Filter(new() { HasText = "identity-verification" }).Last;
            await Assertions.Expect(invitation).ToBeVisibleAsync(new() { Timeout = 60_000 });
            await platform.ScreenshotAsync(page, "dashboard-traces");
            await invitation.GetByText("gateway: POST /api/{**rest}").ClickAsync();
            await Assertions.Expect(page.GetByText(new Regex("notification")).First).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Assertions.Expect(page.GetByText(new Regex("POST /api/patients/.*/portal/invitations")).First).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await platform.ScreenshotAsync(page, "dashboard-invitation-trace");

            // And the structured logs page shows the services' logs
            await page.GotoAsync("/structuredlogs");
            await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "enrollment" }).First).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await platform.ScreenshotAsync(page, "dashboard-structured-logs");
        }
        catch
        {
            await platform.ScreenshotAsync(page, "dashboard-failed");
            throw;
        }
        finally
        {
            await page.CloseAsync();
        }
    }
}
