using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PortalPlatform.Testing;
using static Microsoft.Playwright.Assertions;

namespace PortalPlatform.EndToEnd.Tests;

/// <summary>The other half of the story: a provider revokes access from the chart (by keyboard) and the patient is refused.</summary>
[Collection(PlatformCollection.Name)]
public sealed class StaffRevokeAccessTests(RunningPlatform platform)
{
    private const string DateOfBirth = "1972-06-23";

    static StaffRevokeAccessTests() => SetDefaultExpectTimeout(30_000);

    [Fact]
    public async Task A_provider_revokes_access_from_the_chart_by_keyboard_and_the_patient_is_refused_with_the_exact_words()
    {
        // Given an enrolled patient
        var practiceId = Guid.NewGuid();
        var admin = await platform.StaffClientAsync(practiceId, "admin");
        var (patientId, username) = await Story.EnrolledPatientAsync(platform, admin, DateOfBirth);
        await using var staffContext = await platform.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = platform.GatewayAddress.ToString() });
        var staff = await staffContext.NewPageAsync();
        await Story.SignInAsync(staff, practiceId, "dr-lee", "Dr Lee", "provider");
        await staff.GotoAsync($"/chart/{patientId}");
        var status = staff.GetByRole(AriaRole.Button, new() { Name = "Patient portal status" });
        await Expect(status).ToContainTextAsync("Enrolled");

        // When the provider opens Actions with the keyboard and chooses Revoke portal access
        await staff.GetByRole(AriaRole.Button, new() { Name = "Actions" }).FocusAsync();
        await staff.Keyboard.PressAsync("ArrowDown");
        await Expect(staff.GetByRole(AriaRole.Menuitem, new() { Name = "Invite to patient portal" })).ToBeFocusedAsync();
        await staff.Keyboard.PressAsync("ArrowDown");
        await Expect(staff.GetByRole(AriaRole.Menuitem, new() { Name = "Revoke portal access" })).ToBeFocusedAsync();
        await staff.Keyboard.PressAsync("Enter");
        var dialog = staff.GetByRole(AriaRole.Dialog, new() { Name = "Revoke portal access" });
        await Expect(dialog).ToBeVisibleAsync();
        await dialog.GetByLabel("Reason").SelectOptionAsync(new SelectOptionValue { Label = "Preventing harm" });
        await dialog.GetByLabel("Note (optional)").FillAsync("discussed with the care team");
        await Story.ScreenshotAsync(staff, "revoke-01-dialog");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Revoke access" }).ClickAsync();

        // Then the chart says so, and the history keeps who, when and why
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(status).ToContainTextAsync("Access revoked");
        var latest = staff.Locator("#history li").Last;
        await Expect(latest).ToContainTextAsync("Access revoked");
        await Expect(latest).ToContainTextAsync("by dr-lee");
        await Expect(latest).ToContainTextAsync("Preventing harm");
        await Story.ScreenshotAsync(staff, "revoke-02-chart-access-revoked");

        // ... the practice dashboard lists the patient under Access revoked
        // (the dashboard projection catches up asynchronously, so reload until it has)
        await Eventually.TrueAsync(async () =>
        {
            await staff.GotoAsync("/dashboard?status=AccessRevoked");
            await staff.Locator("#patients tr").First.WaitForAsync();
            return await staff.GetByRole(AriaRole.Link, new() { Name = patientId }).CountAsync() == 1;
        }, what: "the dashboard listing the patient as revoked");
        await Expect(staff.GetByRole(AriaRole.Link, new() { NameRegex = new Regex(@"^Access revoked \(\d+\)$") })).ToHaveAttributeAsync("aria-current", "page");
        await Story.ScreenshotAsync(staff, "revoke-03-dashboard");

        // ... and the patient, signing in once Identity-Verification has heard of the revocation (it hears it through
        // the broker, a moment after the chart shows it), is refused with exactly the practice's words
        await Story.RefusedAtSignInAsync(platform, username);
        await using var patientContext = await platform.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = platform.GatewayAddress.ToString() });
        var patient = await patientContext.NewPageAsync();
        await Story.PatientSignsInAsync(patient, username, Story.Password);
        await Expect(patient.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Ask your doctor to provide access to your health records.");
        await Story.ScreenshotAsync(patient, "revoke-04-patient-refused");
    }
}
