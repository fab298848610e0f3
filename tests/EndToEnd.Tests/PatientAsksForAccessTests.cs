using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PortalPlatform.Testing;
using static Microsoft.Playwright.Assertions;

namespace PortalPlatform.EndToEnd.Tests;

/// <summary>
/// Issue 15's way back, clicked through on the whole platform: a locked-out patient asks from where they are (the
/// sign-in page, an expired link), staff answer from the dashboard and the chart, and the patient hears by email.
/// </summary>
[Collection(PlatformCollection.Name)]
public sealed class PatientAsksForAccessTests(RunningPlatform platform)
{
    private const string DateOfBirth = "1961-04-12";
    private const string RequestReceived = "Thank you. If the details match our records, your practice will see your request and you will hear from them by email.";

    static PatientAsksForAccessTests() => SetDefaultExpectTimeout(30_000);

    [Fact]
    public async Task A_revoked_patient_asks_from_the_sign_in_page_staff_reinvite_from_the_request_and_the_patient_sets_up_again_and_signs_in()
    {
        // Given an enrolled patient whose access a provider revoked
        var practiceId = Guid.NewGuid();
        var admin = await platform.StaffClientAsync(practiceId, "admin");
        var (patientId, username) = await Story.EnrolledPatientAsync(platform, admin, DateOfBirth);
        var email = $"patient.{patientId}@example.test";
        await Story.SucceedsAsync(admin.PostAsJsonAsync($"/api/patients/{patientId}/portal/revocation", new { reason = "Privacy", note = "shared device" }));
        await Story.RefusedAtSignInAsync(platform, username);

        // When the patient signs in, reads the refusal and asks the practice from right under it
        await using var patientContext = await platform.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = platform.GatewayAddress.ToString() });
        var patient = await patientContext.NewPageAsync();
        await Story.PatientSignsInAsync(patient, username, Story.Password);
        var refusal = patient.GetByRole(AriaRole.Alert);
        await Expect(refusal).ToHaveTextAsync("Ask your doctor to provide access to your health records.");
        var ask = patient.GetByRole(AriaRole.Button, new() { Name = "Ask the practice to restore access" });
        await Expect(ask).ToBeVisibleAsync();
        var alertBox = (await refusal.BoundingBoxAsync())!;
        var askBox = (await ask.BoundingBoxAsync())!;
        Assert.True(askBox.Y >= alertBox.Y + alertBox.Height, $"the request button (top {askBox.Y}) sits under the refusal (bottom {alertBox.Y + alertBox.Height})");
        await Story.ScreenshotAsync(patient, "access-request-01-revoked-sign-in");
        await ask.ClickAsync();
        await Expect(patient.GetByRole(AriaRole.Status).Filter(new() { HasText = "Thank you" })).ToHaveTextAsync(RequestReceived);
        await Story.ScreenshotAsync(patient, "access-request-02-request-sent");

        // Then staff see it on the dashboard, with the count
        await using var staffContext = await platform.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = platform.GatewayAddress.ToString() });
        var staff = await staffContext.NewPageAsync();
        await Story.SignInAsync(staff, practiceId, "front-desk-1", "Sam Front Desk", "staff");
        var requestRow = await Story.OpenRequestOnDashboardAsync(staff, "Alan Turing");
        await Expect(requestRow).ToContainTextAsync("Access request");
        await Expect(requestRow).ToContainTextAsync("Access revoked");
        await Story.ScreenshotAsync(staff, "access-request-03-dashboard-open-request");

        // ... and in the chart's header and history
        await requestRow.GetByRole(AriaRole.Link, new() { Name = "Alan Turing" }).ClickAsync();
        var header = staff.GetByRole(AriaRole.Region, new() { Name = "Access request" });
        await Expect(header).ToContainTextAsync("they gave their old username and password");
        var requested = staff.Locator("#history li").Last;
        await Expect(requested).ToContainTextAsync("Access requested");
        await Expect(requested).ToContainTextAsync("request: access request, proved with: old username and password");
        await Story.ScreenshotAsync(staff, "access-request-04-chart-with-request");

        // When staff re-invite from the request: the dialog is prefilled, they correct the phone and confirm
        await header.GetByRole(AriaRole.Button, new() { Name = "Re-invite" }).ClickAsync();
        var dialog = staff.GetByRole(AriaRole.Dialog, new() { Name = "Invite to patient portal" });
        await Expect(dialog.GetByLabel("Email")).ToHaveValueAsync(email);
        await Expect(dialog.GetByLabel("Mobile phone")).ToHaveValueAsync("+12015550177");
        await dialog.GetByLabel("Mobile phone").FillAsync("+12015550178");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Invite to patient portal" }).ClickAsync();
        await Expect(dialog).ToContainTextAsync("A text message with the registration link to +12015550178");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Invite", Exact = true }).ClickAsync();

        // Then the request is answered (gone from the header, approved in the history, off the dashboard's count)
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(staff.GetByRole(AriaRole.Button, new() { Name = "Patient portal status" })).ToContainTextAsync("Invitation sent");
        await Expect(header).ToBeHiddenAsync();
        await Expect(staff.Locator("#history")).ToContainTextAsync("Access request approved");
        await Story.ScreenshotAsync(staff, "access-request-05-chart-reinvited");

        // ... and the patient, with the new email and the access code handed over, sets the account up again and signs in
        var link = await Story.RegistrationLinkAsync(platform, email, 2);
        await staff.GetByRole(AriaRole.Button, new() { Name = "Show access code" }).ClickAsync();
        await Expect(staff.Locator("#access-code")).ToHaveTextAsync(new Regex(@"\S{4,}"));
        var code = (await staff.Locator("#access-code").TextContentAsync())!.Trim();
        await patient.GotoAsync(link);
        await patient.GetByLabel("Date of birth", new() { Exact = true }).FillAsync(DateOfBirth);
        await patient.GetByLabel("Code from the text message, or access code from your practice").FillAsync(code);
        await patient.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await patient.GetByLabel("Username").FillAsync(username);
        await patient.GetByLabel("Password", new() { Exact = true }).FillAsync(Story.NewPassword);
        await patient.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(patient.GetByRole(AriaRole.Heading, new() { Name = "You are all set" })).ToBeVisibleAsync();

        await Story.PatientSignsInAsync(patient, username, Story.NewPassword);
        await Expect(patient.GetByRole(AriaRole.Heading, new() { Name = "You are signed in" })).ToBeVisibleAsync();
        await Expect(staff.GetByRole(AriaRole.Button, new() { Name = "Patient portal status" })).ToContainTextAsync("Enrolled");
    }

    [Fact]
    public async Task An_expired_link_explains_itself_and_asks_for_a_new_one_and_with_auto_renewal_a_new_invitation_email_arrives()
    {
        // Given two practices whose invitations last one day, one of them renewing expired ones automatically,
        // each with an invited patient whose link then expires (Enrollment's Development clock moves past the day)
        var manual = await Story.InvitedPatientAsync(platform, autoRenew: false, "Mary", "Shelley", DateOfBirth);
        var renewing = await Story.InvitedPatientAsync(platform, autoRenew: true, "Percy", "Shelley", DateOfBirth);
        // (only on Enrollment's own address: the platform's front door does not route it)
        var throughGateway = await platform.AnonymousClient().PostAsJsonAsync("/dev/clock", new { advanceBy = TimeSpan.FromDays(2) });
        Assert.True(throughGateway.StatusCode == HttpStatusCode.NotFound, $"the gateway answered {(int)throughGateway.StatusCode} to POST /dev/clock");
        await Story.AdvanceEnrollmentClockAsync(platform, TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        foreach (var invited in new[] { manual, renewing })
        {
            await Eventually.TrueAsync(async () =>
                (await invited.Admin.GetFromJsonAsync<JsonElement>($"/api/patients/{invited.PatientId}/portal")).GetProperty("status").GetString() == "InviteExpired",
                TimeSpan.FromSeconds(90), what: "the invitation expired");
            await Eventually.TrueAsync(async () => await Story.LinkStateAsync(platform, invited.Link) == "Expired", what: "the link reported expired");
        }

        // When the first patient opens the link
        await using var patientContext = await platform.Browser.NewContextAsync();
        var patient = await patientContext.NewPageAsync();
        await patient.GotoAsync(manual.Link);

        // Then the page says what happened and offers the request instead of the identity check
        await Expect(patient.GetByRole(AriaRole.Heading, new() { Name = "This link has expired" })).ToBeVisibleAsync();
        await Expect(patient.GetByText("Invitation links work for a limited time.")).ToBeVisibleAsync();
        await Expect(patient.GetByRole(AriaRole.Heading, new() { Name = "Step 1 of 2: Confirm it is you" })).ToBeHiddenAsync();
        await Story.ScreenshotAsync(patient, "expired-link-01-explained");

        // ... the date of birth sends the request, and staff see a renewal request
        await patient.GetByLabel("Your date of birth").FillAsync(DateOfBirth);
        await patient.GetByRole(AriaRole.Button, new() { Name = "Ask the practice for a new link" }).ClickAsync();
        await Expect(patient.GetByRole(AriaRole.Status).Filter(new() { HasText = "Thank you" })).ToHaveTextAsync(RequestReceived);
        await Story.ScreenshotAsync(patient, "expired-link-02-request-sent");

        await using var staffContext = await platform.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = platform.GatewayAddress.ToString() });
        var staff = await staffContext.NewPageAsync();
        await Story.SignInAsync(staff, manual.PracticeId, "front-desk-1", "Sam Front Desk", "staff");
        var requestRow = await Story.OpenRequestOnDashboardAsync(staff, "Mary Shelley");
        await Expect(requestRow).ToContainTextAsync("New invitation request");
        await Expect(requestRow).ToContainTextAsync("Invitation expired");
        await requestRow.GetByRole(AriaRole.Link, new() { Name = "Mary Shelley" }).ClickAsync();
        var header = staff.GetByRole(AriaRole.Region, new() { Name = "New invitation request" });
        await Expect(header).ToContainTextAsync("they opened an expired invitation link and gave their date of birth");
        await Story.ScreenshotAsync(staff, "expired-link-03-chart-renewal-request");
        // Without the setting nothing is renewed: the request and a renewal would have come in one decision.
        Assert.Equal("InviteExpired", (await manual.Admin.GetFromJsonAsync<JsonElement>($"/api/patients/{manual.PatientId}/portal")).GetProperty("status").GetString());

        // When the patient of the renewing practice does the same
        await patient.GotoAsync(renewing.Link);
        await patient.GetByLabel("Your date of birth").FillAsync(DateOfBirth);
        await patient.GetByRole(AriaRole.Button, new() { Name = "Ask the practice for a new link" }).ClickAsync();
        await Expect(patient.GetByRole(AriaRole.Status).Filter(new() { HasText = "Thank you" })).ToHaveTextAsync(RequestReceived);

        // Then a new invitation email arrives at once, whose link opens the identity check
        var newLink = await Story.RegistrationLinkAsync(platform, renewing.Email, 2);
        Assert.NotEqual(renewing.Link, newLink);
        var portal = await renewing.Admin.GetFromJsonAsync<JsonElement>($"/api/patients/{renewing.PatientId}/portal");
        Assert.Equal("Invited", portal.GetProperty("status").GetString());
        var history = await renewing.Admin.GetStringAsync($"/api/patients/{renewing.PatientId}/portal/history");
        Assert.Contains("\"AccessRequestApproved\"", history, StringComparison.Ordinal);
        Assert.Contains("auto-renewal", history, StringComparison.Ordinal);
        await patient.GotoAsync(newLink);
        await Expect(patient.GetByRole(AriaRole.Heading, new() { Name = "Step 1 of 2: Confirm it is you" })).ToBeVisibleAsync();
        Assert.Equal("Usable", await Story.LinkStateAsync(platform, newLink));
    }

    [Fact]
    public async Task Staff_decline_a_request_with_a_reason_the_history_keeps_it_and_the_patient_is_told_by_email_without_it()
    {
        // Given a revoked patient of a named practice who asked for access back
        const string reason = "Needs an appointment with Dr Lee first";
        var practiceId = Guid.NewGuid();
        var admin = await platform.StaffClientAsync(practiceId, "admin");
        await Story.SucceedsAsync(admin.PutAsJsonAsync("/api/practice/portal-settings",
            new { autoInvite = false, whoCanInvite = "AllUsers", invitationLifetimeDays = 14, practiceName = "Lakeside Clinic" }));
        var (patientId, username) = await Story.EnrolledPatientAsync(platform, admin, DateOfBirth);
        var email = $"patient.{patientId}@example.test";
        await Story.SucceedsAsync(admin.PostAsJsonAsync($"/api/patients/{patientId}/portal/revocation", new { reason = "Security" }));
        await Story.RefusedAtSignInAsync(platform, username);
        var asked = await platform.AnonymousClient().PostAsJsonAsync("/portal/api/access-requests", new { username, password = Story.Password });
        Assert.Equal(HttpStatusCode.Accepted, asked.StatusCode);

        // When a staff member opens the chart, declines the request and gives the reason
        await using var staffContext = await platform.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = platform.GatewayAddress.ToString() });
        var staff = await staffContext.NewPageAsync();
        await Story.SignInAsync(staff, practiceId, "front-desk-1", "Sam Front Desk", "staff");
        await Story.OpenRequestOnDashboardAsync(staff, "Alan Turing");
        await staff.GotoAsync($"/chart/{patientId}");
        var header = staff.GetByRole(AriaRole.Region, new() { Name = "Access request" });
        await header.GetByRole(AriaRole.Button, new() { Name = "Decline request" }).ClickAsync();
        var dialog = staff.GetByRole(AriaRole.Dialog, new() { Name = "Decline the request" });
        await dialog.GetByLabel("Reason").FillAsync(reason);
        await Story.ScreenshotAsync(staff, "decline-01-dialog");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Decline request" }).ClickAsync();

        // Then the chart says so, the history keeps who declined and why, and the request is gone
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(staff.Locator("#chart-notice")).ToHaveTextAsync("Request declined; the patient is told by email.");
        await Expect(header).ToBeHiddenAsync();
        var latest = staff.Locator("#history li").Last;
        await Expect(latest).ToContainTextAsync("Access request declined");
        await Expect(latest).ToContainTextAsync("by front-desk-1");
        await Expect(latest).ToContainTextAsync(reason);
        // The chart's delivery log shows the email to the patient once Notification has sent it.
        await Expect(staff.Locator("#deliveries")).ToContainTextAsync("Email: access request declined", new() { Timeout = 60_000 });
        await Story.ScreenshotAsync(staff, "decline-02-chart-history");

        // ... and the patient gets the practice's email, which does not carry the staff's reason
        var declined = await Eventually.GetAsync(async () => (await platform.Mail.ReadAsync(m => m.To.Contains(email, StringComparer.OrdinalIgnoreCase)))
            .FirstOrDefault(m => m.Subject == "Lakeside Clinic: your patient portal request"), TimeSpan.FromSeconds(90), what: "the decline email");
        Assert.Contains("Hello Alan,", declined.Text, StringComparison.Ordinal);
        Assert.Contains("Lakeside Clinic has looked at your request about access to the patient portal and cannot restore access at this time.", declined.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Dr Lee", declined.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_patient_revoked_to_prevent_harm_asks_for_a_review_the_revoking_provider_cannot_answer_and_another_provider_grants()
    {
        // Given an enrolled patient whose access Dr Alvarez revoked to prevent harm
        var practiceId = Guid.NewGuid();
        var admin = await platform.StaffClientAsync(practiceId, "admin");
        var (patientId, username) = await Story.EnrolledPatientAsync(platform, admin, DateOfBirth);
        var email = $"patient.{patientId}@example.test";
        var alvarez = await platform.StaffClientAsync(practiceId, "provider", "dr-alvarez");
        await Story.SucceedsAsync(alvarez.PostAsJsonAsync($"/api/patients/{patientId}/portal/revocation", new
        {
            reason = "PreventingHarm", note = "discussed in clinic",
            decidingClinicianId = "dr-alvarez", decidingClinicianName = "Dr Alvarez", basis = "EndangersLifeOrSafety", scope = "Patient",
        }));
        await Story.RefusedAtSignInAsync(platform, username);

        // When the patient asks from the sign-in page
        await using var patientContext = await platform.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = platform.GatewayAddress.ToString() });
        var patient = await patientContext.NewPageAsync();
        await Story.PatientSignsInAsync(patient, username, Story.Password);
        await Expect(patient.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Ask your doctor to provide access to your health records.");
        await patient.GetByRole(AriaRole.Button, new() { Name = "Ask the practice to restore access" }).ClickAsync();
        await Expect(patient.GetByRole(AriaRole.Status).Filter(new() { HasText = "Thank you" })).ToHaveTextAsync(RequestReceived);

        // Then it reaches the practice as a review request, which says who may decide it
        await using var revokerContext = await platform.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = platform.GatewayAddress.ToString() });
        var revoker = await revokerContext.NewPageAsync();
        await Story.SignInAsync(revoker, practiceId, "dr-alvarez", "Dr Alvarez", "provider");
        var requestRow = await Story.OpenRequestOnDashboardAsync(revoker, "Alan Turing");
        await Expect(requestRow).ToContainTextAsync("Review request");
        await requestRow.GetByRole(AriaRole.Link, new() { Name = "Alan Turing" }).ClickAsync();
        var header = revoker.GetByRole(AriaRole.Region, new() { Name = "Review request" });
        await Expect(header).ToContainTextAsync("Access was revoked to prevent harm: a provider other than the one who revoked decides.");

        // ... and that Dr Alvarez, who revoked, cannot answer it: the chart says so and offers nothing, and the API refuses
        await Expect(header).ToContainTextAsync("You took part in the revocation, so another provider answers this request.");
        await Expect(header.GetByRole(AriaRole.Button, new() { Name = "Re-invite" })).ToBeDisabledAsync();
        await Expect(header.GetByRole(AriaRole.Button, new() { Name = "Decline request" })).ToBeDisabledAsync();
        await revoker.GetByRole(AriaRole.Button, new() { Name = "Actions" }).ClickAsync();
        var inviteItem = revoker.GetByRole(AriaRole.Menuitem, new() { Name = "Invite to patient portal" });
        await Expect(inviteItem).ToBeDisabledAsync();
        await Expect(inviteItem).ToHaveAttributeAsync("title", "You took part in the revocation, so another provider answers the review request.");
        await Story.ScreenshotAsync(revoker, "review-01-chart-review-request-menu");
        await revoker.Keyboard.PressAsync("Escape");
        using var refused = await alvarez.PostAsJsonAsync($"/api/patients/{patientId}/portal/invitations", new { });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("A review request must be decided by a different provider than the one who revoked access.",
            (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        var portal = await admin.GetFromJsonAsync<JsonElement>($"/api/patients/{patientId}/portal");
        Assert.Equal("AccessRevoked", portal.GetProperty("status").GetString());

        // When Dr Baker, another provider, re-invites from the same request
        await using var reviewerContext = await platform.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = platform.GatewayAddress.ToString() });
        var reviewer = await reviewerContext.NewPageAsync();
        await Story.SignInAsync(reviewer, practiceId, "dr-baker", "Dr Baker", "provider");
        await reviewer.GotoAsync($"/chart/{patientId}");
        var reviewHeader = reviewer.GetByRole(AriaRole.Region, new() { Name = "Review request" });
        await Expect(reviewHeader).ToContainTextAsync("a provider other than the one who revoked decides.");
        await Expect(reviewHeader).Not.ToContainTextAsync("You took part");
        await Expect(reviewHeader.GetByRole(AriaRole.Button, new() { Name = "Re-invite" })).ToBeEnabledAsync();
        await reviewer.GetByRole(AriaRole.Button, new() { Name = "Actions" }).ClickAsync();
        await Expect(reviewer.GetByRole(AriaRole.Menuitem, new() { Name = "Invite to patient portal" })).ToBeEnabledAsync();
        await reviewer.Keyboard.PressAsync("Escape");
        await reviewHeader.GetByRole(AriaRole.Button, new() { Name = "Re-invite" }).ClickAsync();
        var dialog = reviewer.GetByRole(AriaRole.Dialog, new() { Name = "Invite to patient portal" });
        await Expect(dialog.GetByLabel("Email")).ToHaveValueAsync(email);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Invite to patient portal" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Invite", Exact = true }).ClickAsync();

        // Then the review is answered: invitation sent, the request gone from the header, approved in the history, a new email
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(reviewer.GetByRole(AriaRole.Button, new() { Name = "Patient portal status" })).ToContainTextAsync("Invitation sent");
        await Expect(reviewHeader).ToBeHiddenAsync();
        await Expect(reviewer.Locator("#history")).ToContainTextAsync("Access request approved");
        await Story.ScreenshotAsync(reviewer, "review-02-another-provider-reinvited");
        Assert.Contains("token=", await Story.RegistrationLinkAsync(platform, email, 2), StringComparison.Ordinal);
    }
}
