using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PortalPlatform.Contracts;
using PortalPlatform.Testing;

namespace PortalPlatform.IdentityVerification.Tests;

/// <summary>The service on a real port, for a real browser.</summary>
public sealed class KestrelIdentityHost : IdentityHost
{
    public string Address { get; private set; } = "";

    protected override void Prepare(HostedIdentityService service) => service.UseKestrel(0);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Address = Service.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
    }
}

/// <summary>The patient pages in Chromium, on a phone-sized screen, used only through their labels.</summary>
public sealed class PatientPagesBrowserTests(KestrelIdentityHost host) : IClassFixture<KestrelIdentityHost>, IAsyncLifetime
{
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private IPage _page = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
        _page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 390, Height = 844 }, IsMobile = true });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    [Fact]
    public async Task A_patient_registers_through_the_link_and_after_a_revocation_the_sign_in_page_shows_the_exact_message()
    {
        var patient = await host.InviteAsync();
        var link = IdentityHost.LinkOf(host.Invitations.Single(i => i.InvitationId == patient.InvitationId));

        // The link opens the registration page (its path and query, on this host instead of the gateway).
        await _page.GotoAsync(host.Address + new Uri(link).PathAndQuery);
        Assert.DoesNotContain("token=", _page.Url, StringComparison.Ordinal);
        await _page.GetByLabel("Date of birth", new() { Exact = true }).FillAsync(patient.DateOfBirth.ToString("yyyy-MM-dd"));
        var codesBefore = host.OneTimeCodes.Count;
        await _page.GetByRole(AriaRole.Button, new() { Name = "Text me a code" }).ClickAsync();
        var code = IdentityHost.CodeOf(await Eventually.GetAsync(() => Task.FromResult(host.OneTimeCodes.Skip(codesBefore).FirstOrDefault(c => c.PatientId == patient.PatientId))));
        await _page.GetByLabel("Code from the text message, or access code from your practice").FillAsync(code);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();

        await _page.GetByRole(AriaRole.Heading, new() { Name = "Step 2 of 2: Choose how you will sign in" }).WaitForAsync();
        await _page.GetByLabel("Username").FillAsync("avery.browser");
        await _page.GetByLabel("Password", new() { Exact = true }).FillAsync("a phrase typed on a phone");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await _page.GetByRole(AriaRole.Heading, new() { Name = "You are all set" }).WaitForAsync();

        await SignInOnPageAsync();
        await _page.GetByRole(AriaRole.Heading, new() { Name = "You are signed in" }).WaitForAsync();

        await host.PublishAsync(new AccessRevoked(Guid.NewGuid(), patient.PracticeId, patient.PatientId, host.Clock.GetUtcNow(), RevocationReason.Privacy, "admin-1"));
        await Eventually.TrueAsync(async () => (await host.SignInAsync("avery.browser", "a phrase typed on a phone")).StatusCode == System.Net.HttpStatusCode.Forbidden);
        await SignInOnPageAsync();

        var alert = _page.GetByRole(AriaRole.Alert);
        await alert.WaitForAsync();
        Assert.Equal("Ask your doctor to provide access to your health records.", (await alert.TextContentAsync())?.Trim());
    }

    [Fact]
    public async Task A_wrong_code_on_the_page_shows_the_one_failure_message()
    {
        var patient = await host.InviteAsync();

        await _page.GotoAsync(host.Address + new Uri(IdentityHost.LinkOf(host.Invitations.Single(i => i.InvitationId == patient.InvitationId))).PathAndQuery);
        await _page.GetByLabel("Date of birth", new() { Exact = true }).FillAsync(patient.DateOfBirth.ToString("yyyy-MM-dd"));
        await _page.GetByLabel("Code from the text message, or access code from your practice").FillAsync("000000");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();

        var alert = _page.GetByRole(AriaRole.Alert);
        await alert.WaitForAsync();
        Assert.Equal("The details do not match our records.", (await alert.TextContentAsync())?.Trim());
    }

    [Fact]
    public async Task A_revoked_patient_sees_the_exact_text_and_under_it_asks_the_practice_to_restore_access()
    {
        var patient = await host.RegisteredAsync("rowan.revoked", "rowan's long password");
        await host.PublishAsync(new AccessRevoked(Guid.NewGuid(), patient.PracticeId, patient.PatientId, host.Clock.GetUtcNow(), RevocationReason.Other, "admin-1"));
        await Eventually.TrueAsync(async () => (await host.SignInAsync("rowan.revoked", "rowan's long password")).StatusCode == System.Net.HttpStatusCode.Forbidden);

        await SignInOnPageAsync("rowan.revoked", "rowan's long password");

        var alert = _page.GetByRole(AriaRole.Alert);
        await alert.WaitForAsync();
        Assert.Equal("Ask your doctor to provide access to your health records.", (await alert.TextContentAsync())?.Trim());
        var ask = _page.GetByRole(AriaRole.Button, new() { Name = "Ask the practice to restore access" });
        await ask.WaitForAsync();
        Assert.True((await ask.BoundingBoxAsync())!.Y > (await alert.BoundingBoxAsync())!.Y, "the button sits under the message");
        Assert.DoesNotContain(host.AccessRequests, r => r.Command.PatientId == patient.PatientId);

        await ask.ClickAsync();

        var sent = _page.GetByRole(AriaRole.Status);
        await sent.WaitForAsync();
        Assert.StartsWith("Thank you.", (await sent.TextContentAsync())?.Trim());
        Assert.False(await ask.IsVisibleAsync(), "the button goes once the request is sent");
        var command = await host.AccessRequestForAsync(patient);
        Assert.Equal(AccessRequestProof.Credentials, command.Proof);
        await ScreenshotAsync("revoked-patient-asked-for-access");
    }

    [Fact]
    public async Task A_failing_service_is_not_shown_to_the_patient_as_a_wrong_password()
    {
        await host.RegisteredAsync("casey.outage", "casey's long password");

        // A wrong password is named as such: the wording comes from the service ...
        await SignInOnPageAsync("casey.outage", "not casey's password");
        var alert = _page.GetByRole(AriaRole.Alert);
        await Assertions.Expect(alert).ToHaveTextAsync(PatientProblems.WrongCredentials);

        // ... and an answer without one (an unhandled error, as UseExceptionHandler writes it) blames nobody's password.
        await _page.RouteAsync("**/portal/api/sign-in", route => route.FulfillAsync(new RouteFulfillOptions
        {
            Status = 500,
            ContentType = "application/problem+json",
            Body = """{"title":"An error occurred while processing your request.","status":500}""",
        }));
        await _page.GetByLabel("Password").FillAsync("casey's long password");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(alert).ToHaveTextAsync("We could not sign you in right now. Please try again in a few minutes.");
    }

    [Fact]
    public async Task An_expired_link_lands_on_a_page_that_explains_it_and_offers_to_ask_for_a_new_one()
    {
        var patient = await host.InviteAsync(lifetime: TimeSpan.FromMinutes(30));
        host.Clock.Advance(TimeSpan.FromHours(1));

        await _page.GotoAsync(host.Address + new Uri(IdentityHost.LinkOf(host.Invitations.Single(i => i.InvitationId == patient.InvitationId))).PathAndQuery);

        await _page.GetByRole(AriaRole.Heading, new() { Name = "This link has expired" }).WaitForAsync();
        Assert.False(await _page.GetByRole(AriaRole.Heading, new() { Name = "Step 1 of 2: Confirm it is you" }).IsVisibleAsync());
        await _page.GetByLabel("Your date of birth", new() { Exact = true }).FillAsync(patient.DateOfBirth.ToString("yyyy-MM-dd"));
        await _page.GetByRole(AriaRole.Button, new() { Name = "Ask the practice for a new link" }).ClickAsync();

        var sent = _page.GetByRole(AriaRole.Status);
        await sent.WaitForAsync();
        Assert.StartsWith("Thank you.", (await sent.TextContentAsync())?.Trim());
        var command = await host.AccessRequestForAsync(patient);
        Assert.Equal((AccessRequestProof.ExpiredInvitation, patient.InvitationId), (command.Proof, command.InvitationId));
        await ScreenshotAsync("expired-link-asked-for-a-new-one");
    }

    private async Task ScreenshotAsync(string name)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }

    private async Task SignInOnPageAsync(string username = "avery.browser", string password = "a phrase typed on a phone")
    {
        await _page.GotoAsync(host.Address + "/sign-in");
        await _page.GetByLabel("Username").FillAsync(username);
        await _page.GetByLabel("Password").FillAsync(password);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }
}
