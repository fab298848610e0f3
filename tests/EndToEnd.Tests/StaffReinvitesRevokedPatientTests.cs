using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PortalPlatform.Testing;
using static Microsoft.Playwright.Assertions;

namespace PortalPlatform.EndToEnd.Tests;

/// <summary>DESIGN.md's story, clicked through in headless Chromium exactly as a practice's staff member and the patient would.</summary>
[Collection(PlatformCollection.Name)]
public sealed class StaffReinvitesRevokedPatientTests(RunningPlatform platform)
{
    private const string DateOfBirth = "1985-12-09";
    private const string DemographicsPhone = "+12015550123";
    private const string EditedPhone = "+12015550199";

    static StaffReinvitesRevokedPatientTests() => SetDefaultExpectTimeout(30_000);

    [Fact]
    public async Task Staff_reinvite_a_revoked_patient_from_the_chart_and_the_chart_shows_Enrolled_once_the_patient_registers()
    {
        // Given a patient of the practice whose portal access was revoked
        var practiceId = Guid.NewGuid();
        var patientId = $"e2e-{Guid.NewGuid():N}"[..20];
        var email = $"grace.{patientId}@example.test";
        var admin = await platform.StaffClientAsync(practiceId, "admin");
        await Story.SucceedsAsync(admin.PutAsJsonAsync($"/api/patients/{patientId}", new
        {
            firstName = "Grace", lastName = "Hopper", dateOfBirth = DateOfBirth, email, phone = DemographicsPhone,
        }));
        await Story.SucceedsAsync(admin.PostAsJsonAsync($"/api/patients/{patientId}/portal/invitations", new { }));
        await Eventually.TrueAsync(async () => await Story.MailsToAsync(platform, email) == 1, TimeSpan.FromSeconds(90), what: "the first invitation email");
        await Story.SucceedsAsync(admin.PostAsJsonAsync($"/api/patients/{patientId}/portal/revocation", new { reason = "PatientRequest", note = "asked to close the account" }));

        // When a staff member (not an admin) signs in and opens the chart
        await using var staffContext = await platform.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = platform.GatewayAddress.ToString() });
        var staff = await staffContext.NewPageAsync();
        await Story.SignInAsync(staff, practiceId, "front-desk-1", "Sam Front Desk", "staff");
        await Story.ScreenshotAsync(staff, "reinvite-01-dashboard");

        await staff.GotoAsync($"/chart/{patientId}");
        var status = staff.GetByRole(AriaRole.Button, new() { Name = "Patient portal status" });
        await Expect(status).ToContainTextAsync("Access revoked");
        await Expect(staff.GetByRole(AriaRole.Heading, new() { Name = "Grace Hopper" })).ToBeVisibleAsync();
        await Story.ScreenshotAsync(staff, "reinvite-02-chart-access-revoked");

        // ... re-invites through Actions with the prefilled contact details, editing the phone
        await staff.GetByRole(AriaRole.Button, new() { Name = "Actions" }).ClickAsync();
        await staff.GetByRole(AriaRole.Menuitem, new() { Name = "Invite to patient portal" }).ClickAsync();
        var dialog = staff.GetByRole(AriaRole.Dialog, new() { Name = "Invite to patient portal" });
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog.GetByLabel("Email")).ToHaveValueAsync(email);
        await Expect(dialog.GetByLabel("Mobile phone")).ToHaveValueAsync(DemographicsPhone);
        await dialog.GetByLabel("Mobile phone").FillAsync(EditedPhone);
        await Story.ScreenshotAsync(staff, "reinvite-03-invitation-dialog-prefilled");

        await dialog.GetByRole(AriaRole.Button, new() { Name = "Invite to patient portal" }).ClickAsync();
        await Expect(dialog).ToContainTextAsync($"An email with the registration link to {email}");
        await Expect(dialog).ToContainTextAsync($"A text message with the registration link to {EditedPhone}");
        await Story.ScreenshotAsync(staff, "reinvite-04-confirmation");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Invite", Exact = true }).ClickAsync();

        // Then the chart says the invitation was sent
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(status).ToContainTextAsync("Invitation sent");
        await Story.ScreenshotAsync(staff, "reinvite-05-invitation-sent");

        // ... a new registration link reaches the patient's email, and the text goes to the edited phone
        var link = await Story.RegistrationLinkAsync(platform, email, 2);
        Assert.StartsWith(platform.GatewayAddress.ToString().TrimEnd('/'), link, StringComparison.Ordinal);
        await Eventually.TrueAsync(async () => (await platform.Sms.ReadAsync()).Any(s => s.To == EditedPhone), TimeSpan.FromSeconds(90), what: "a text message to the edited phone");
        // The chart's delivery log (masked addresses) shows the text to the edited number once Notification has sent it.
        await Expect(staff.Locator("#deliveries")).ToContainTextAsync(EditedPhone[^4..], new() { Timeout = 30_000 });

        // ... staff hand the access code over in person
        await staff.GetByRole(AriaRole.Button, new() { Name = "Show access code" }).ClickAsync();
        var accessCode = staff.Locator("#access-code");
        await Expect(accessCode).ToHaveTextAsync(new Regex(@"\S{4,}"));
        var code = (await accessCode.TextContentAsync())!.Trim();
        await Story.ScreenshotAsync(staff, "reinvite-06-access-code");

        // When the patient opens the link, proves who they are and sets up the account again
        await using var patientContext = await platform.Browser.NewContextAsync();
        var patient = await patientContext.NewPageAsync();
        await patient.GotoAsync(link);
        await patient.GetByLabel("Date of birth", new() { Exact = true }).FillAsync(DateOfBirth);
        await patient.GetByLabel("Code from the text message, or access code from your practice").FillAsync(code);
        await Story.ScreenshotAsync(patient, "reinvite-07-patient-verifies");
        await patient.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await patient.GetByLabel("Username").FillAsync($"grace-{patientId}");
        await patient.GetByLabel("Password", new() { Exact = true }).FillAsync(Story.Password);
        await patient.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(patient.GetByRole(AriaRole.Heading, new() { Name = "You are all set" })).ToBeVisibleAsync();
        await Story.ScreenshotAsync(patient, "reinvite-08-patient-registered");

        // Then the chart shows the patient as enrolled, and sign-in works
        await Expect(status).ToContainTextAsync("Enrolled", new() { Timeout = 30_000 });
        await Story.ScreenshotAsync(staff, "reinvite-09-chart-enrolled");
        var signIn = await new HttpClient { BaseAddress = platform.GatewayAddress }
            .PostAsJsonAsync("/portal/api/sign-in", new { username = $"grace-{patientId}", password = Story.Password });
        Assert.Equal(System.Net.HttpStatusCode.OK, signIn.StatusCode);
        Assert.True((await signIn.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("accessToken", out _));
    }

}
