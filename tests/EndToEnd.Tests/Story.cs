using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Aspire.Hosting.Testing;
using Microsoft.Playwright;
using PortalPlatform.Testing;
using PortalPlatform.Testing.Platform;

namespace PortalPlatform.EndToEnd.Tests;

/// <summary>The steps the browser tests share: signing staff in, reading sinks, saving screenshots, setting the scene over HTTP.</summary>
public static partial class Story
{
    public const string Password = "correct horse battery staple";
    public const string NewPassword = "another horse battery staple";

    [GeneratedRegex(@"https?://[^\s""'<>]+/register\?token=([A-Za-z0-9_\-%.~]+)")]
    public static partial Regex RegistrationLink();

    /// <summary>A patient signs in on the portal's sign-in page (what the page answers is the caller's to check).</summary>
    public static async Task PatientSignsInAsync(IPage patient, string username, string password)
    {
        await patient.GotoAsync("/sign-in");
        await patient.GetByLabel("Username").FillAsync(username);
        await patient.GetByLabel("Password").FillAsync(password);
        await patient.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    public static async Task SignInAsync(IPage page, Guid practiceId, string userId, string name, string role)
    {
        await page.GotoAsync("/");
        await page.GetByLabel("Practice ID").FillAsync(practiceId.ToString());
        await page.GetByLabel("User ID").FillAsync(userId);
        await page.GetByLabel("Name").FillAsync(name);
        await page.GetByLabel("Role").SelectOptionAsync(role);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        try
        {
            // Generous: on a busy 2-core machine the whole platform shares the CPU with the browser.
            // Polls the address (a navigation event can be missed when it commits while the wait is being set up).
            await Assertions.Expect(page).ToHaveURLAsync(new Regex("/dashboard"), new() { Timeout = 90_000 });
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync(new Regex("patient portal", RegexOptions.IgnoreCase), new() { Timeout = 90_000 });
        }
        catch (Exception e) when (e is TimeoutException or PlaywrightException)
        {
            await ScreenshotAsync(page, $"sign-in-failed-{userId}");
            throw new TimeoutException($"staff sign-in did not reach the dashboard; the page is at {page.Url}", e);
        }
    }

    public static Task ScreenshotAsync(IPage page, string step) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AspirePlatform.ScreenshotDirectory, $"{step}.png"), FullPage = true });

    public static async Task SucceedsAsync(Task<HttpResponseMessage> request)
    {
        var response = await request;
        Assert.True(response.IsSuccessStatusCode,
            $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    public static async Task<T> ReadAsync<T>(Task<HttpResponseMessage> request)
    {
        var response = await request;
        await SucceedsAsync(Task.FromResult(response));
        return (await response.Content.ReadFromJsonAsync<T>())!;
    }

    public static async Task<int> MailsToAsync(RunningPlatform platform, string email) =>
        (await platform.Mail.ReadAsync(m => m.To.Contains(email, StringComparer.OrdinalIgnoreCase))).Count;

    /// <summary>The registration link of the <paramref name="nth"/> email (1-based) sent to <paramref name="email"/>.</summary>
    public static async Task<string> RegistrationLinkAsync(RunningPlatform platform, string email, int nth)
    {
        // smtp4dev lists the newest first.
        var mail = await Eventually.GetAsync(async () => (await platform.Mail.ReadAsync(m => m.To.Contains(email, StringComparer.OrdinalIgnoreCase)))
            .Reverse().Skip(nth - 1).FirstOrDefault(), TimeSpan.FromSeconds(90), what: $"email {nth} to {email}");
        return RegistrationLink().Match(mail.Text).Value;
    }

    /// <summary>A patient who registered through the API: invited, identity checked with the access code, account set up.</summary>
    public static async Task<(string PatientId, string Username)> EnrolledPatientAsync(RunningPlatform platform, HttpClient admin, string dateOfBirth)
    {
        var patientId = $"e2e-{Guid.NewGuid():N}"[..20];
        var email = $"patient.{patientId}@example.test";
        await SucceedsAsync(admin.PutAsJsonAsync($"/api/patients/{patientId}", new
        {
            firstName = "Alan", lastName = "Turing", dateOfBirth, email, phone = "+12015550177",
        }));
        var invitation = await ReadAsync<JsonElement>(admin.PostAsJsonAsync($"/api/patients/{patientId}/portal/invitations", new { }));
        var link = await RegistrationLinkAsync(platform, email, 1);
        var token = Uri.UnescapeDataString(RegistrationLink().Match(link).Groups[1].Value);
        var accessCode = await Eventually.GetAsync(async () =>
        {
            var response = await admin.GetAsync($"/api/patients/{patientId}/portal/invitations/{invitation.GetProperty("invitationId").GetString()}/access-code");
            return response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessCode").GetString() : null;
        }, what: "the invitation's access code");
        using var anonymous = new HttpClient { BaseAddress = platform.GatewayAddress };
        var verified = await ReadAsync<JsonElement>(anonymous.PostAsJsonAsync("/portal/api/registration/verify", new { token, dateOfBirth, code = accessCode }));
        var username = $"alan-{patientId}";
        await SucceedsAsync(anonymous.PostAsJsonAsync("/portal/api/registration/complete", new
        {
            registrationId = verified.GetProperty("registrationId").GetString(), username, password = Password,
        }));
        await Eventually.TrueAsync(async () =>
            (await admin.GetFromJsonAsync<JsonElement>($"/api/patients/{patientId}/portal")).GetProperty("status").GetString() == "Enrolled",
            what: "the patient enrolled");
        return (patientId, username);
    }

    /// <summary>An invited patient of a new practice whose invitations last one day (renewing expired ones or not).</summary>
    public static async Task<InvitedPatient> InvitedPatientAsync(RunningPlatform platform, bool autoRenew, string firstName, string lastName, string dateOfBirth)
    {
        var practiceId = Guid.NewGuid();
        var admin = await platform.StaffClientAsync(practiceId, "admin");
        await SucceedsAsync(admin.PutAsJsonAsync("/api/practice/portal-settings",
            new { autoInvite = false, whoCanInvite = "AllUsers", invitationLifetimeDays = 1, autoRenewExpiredInvitations = autoRenew }));
        var patientId = $"e2e-{Guid.NewGuid():N}"[..20];
        var email = $"{firstName.ToLowerInvariant()}.{patientId}@example.test";
        await SucceedsAsync(admin.PutAsJsonAsync($"/api/patients/{patientId}", new { firstName, lastName, dateOfBirth, email, phone = "+12015550166" }));
        await SucceedsAsync(admin.PostAsJsonAsync($"/api/patients/{patientId}/portal/invitations", new { }));
        return new InvitedPatient(practiceId, admin, patientId, email, await RegistrationLinkAsync(platform, email, 1));
    }

    /// <summary>Moves Enrollment's Development clock forward (POST /dev/clock on the service itself; the gateway does not route it).</summary>
    public static async Task AdvanceEnrollmentClockAsync(RunningPlatform platform, TimeSpan by)
    {
        using var enrollment = new HttpClient { BaseAddress = platform.App.GetEndpoint("enrollment", "http") };
        await SucceedsAsync(enrollment.PostAsJsonAsync("/dev/clock", new { advanceBy = by }));
    }

    /// <summary>What Identity-Verification tells the registration page about a link: Usable, Expired or Used.</summary>
    public static async Task<string?> LinkStateAsync(RunningPlatform platform, string link)
    {
        var token = Uri.UnescapeDataString(RegistrationLink().Match(link).Groups[1].Value);
        using var anonymous = new HttpClient { BaseAddress = platform.GatewayAddress };
        var state = await ReadAsync<JsonElement>(anonymous.PostAsJsonAsync("/portal/api/registration/status", new { token }));
        return state.GetProperty("state").GetString();
    }

    /// <summary>Waits until Identity-Verification has ended the patient's access (sign-in answers 403, not 200).</summary>
    public static async Task RefusedAtSignInAsync(RunningPlatform platform, string username)
    {
        using var anonymous = new HttpClient { BaseAddress = platform.GatewayAddress };
        await Eventually.TrueAsync(async () =>
            (await anonymous.PostAsJsonAsync("/portal/api/sign-in", new { username, password = Password })).StatusCode == System.Net.HttpStatusCode.Forbidden,
            what: "sign-in refused for revoked access");
    }

    /// <summary>Reloads the dashboard until its one open request is the patient's; returns that row.</summary>
    public static async Task<ILocator> OpenRequestOnDashboardAsync(IPage staff, string patientName)
    {
        var row = staff.Locator("#access-requests tr").Filter(new() { Has = staff.GetByRole(AriaRole.Link, new() { Name = patientName }) });
        await Eventually.TrueAsync(async () =>
        {
            await staff.GotoAsync("/dashboard");
            await Assertions.Expect(staff.GetByRole(AriaRole.Heading, new() { NameRegex = new Regex(@"^Open access requests \(\d+\)$") })).ToBeVisibleAsync();
            return await row.CountAsync() == 1;
        }, TimeSpan.FromSeconds(90), what: $"{patientName}'s request on the dashboard");
        await Assertions.Expect(staff.GetByRole(AriaRole.Heading, new() { Name = "Open access requests (1)" })).ToBeVisibleAsync();
        return row;
    }
}

public sealed record InvitedPatient(Guid PracticeId, HttpClient Admin, string PatientId, string Email, string Link);
