using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using PortalPlatform.IdentityVerification.Registrations;
using PortalPlatform.Testing;

namespace PortalPlatform.Gateway.Tests.RateLimits;

/// <summary>
/// The gateway and Identity-Verification with their default per-address allowance, held over ten minutes instead of
/// one (stricter than the default), so a slow machine cannot spread one test's requests over two windows.
/// </summary>
public sealed class GatewayWithDefaultLimits : GatewayInFrontOfStaffAndPatientServices
{
    private const string TenMinutes = "00:10:00";

    protected override Dictionary<string, string?> IdentitySettings() => new() { ["PatientRateLimit:Window"] = TenMinutes };

    protected override Dictionary<string, string?> GatewaySettings() => new() { ["Gateway:PatientRateLimitWindow"] = TenMinutes };
}

/// <summary>Patients of one clinic, all behind one address, register through the gateway while a guesser is locked out.</summary>
public sealed class ClinicRateLimitTests(GatewayWithDefaultLimits platform) : IClassFixture<GatewayWithDefaultLimits>
{
    private const string ClinicAddress = "203.0.113.50";
    private const string DateOfBirth = "1980-04-02";
    private const string Password = "a long clinic password";

    private sealed record Invited(string PatientId, Guid RegistrationId, string Token, string AccessCode);

    [Fact]
    public async Task Forty_patients_registering_from_one_address_within_one_window_all_get_through()
    {
        var patients = await InvitedAsync(40);
        var clinic = PatientClient();

        // All at once, as a waiting room would: each patient opens the link, proves who they are, sets up and signs in.
        var answers = (await Task.WhenAll(patients.Select(async patient => new List<(string What, HttpStatusCode Status)>
        {
            ("page", (await clinic.GetAsync($"/register?token={Uri.EscapeDataString(patient.Token)}")).StatusCode),
            ("verify", (await VerifyAsync(clinic, patient, patient.AccessCode)).StatusCode),
            ("complete", (await clinic.PostAsJsonAsync("/portal/api/registration/complete",
                new { registrationId = patient.RegistrationId, username = patient.PatientId, password = Password, token = patient.Token })).StatusCode),
            ("sign-in", (await SignInAsync(clinic, patient.PatientId, Password)).StatusCode),
        }))).SelectMany(steps => steps).ToList();

        Assert.Equal(160, answers.Count);
        Assert.All(answers, answer => Assert.True(answer.Status == HttpStatusCode.OK, $"{answer.What} answered {(int)answer.Status}"));
    }

    [Fact]
    public async Task A_guesser_at_the_clinic_address_is_locked_out_after_five_tries_while_other_patients_go_on()
    {
        var (target, neighbour) = (await InvitedAsync(2)) is [var a, var b] ? (a, b) : throw new InvalidOperationException();
        var clinic = PatientClient();

        for (var guess = 0; guess < 5; guess++)
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await VerifyAsync(clinic, target, $"{guess:D6}")).StatusCode);
        }

        // The sixth try fails even with the right code: the registration is locked, not just the answer wrong.
        Assert.Equal(HttpStatusCode.BadRequest, (await VerifyAsync(clinic, target, target.AccessCode)).StatusCode);
        await using (var session = platform.Identity.Services.GetRequiredService<IDocumentStore>().QuerySession())
        {
            Assert.Equal(RegistrationState.Locked, (await session.LoadAsync<Registration>(target.RegistrationId))!.State);
        }

        // A password guesser for one username: five wrong, then refused even with the right password.
        Assert.Equal(HttpStatusCode.OK, (await VerifyAsync(clinic, neighbour, neighbour.AccessCode)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await clinic.PostAsJsonAsync("/portal/api/registration/complete",
            new { registrationId = neighbour.RegistrationId, username = neighbour.PatientId, password = Password, token = neighbour.Token })).StatusCode);
        for (var guess = 0; guess < 5; guess++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await SignInAsync(clinic, neighbour.PatientId, $"wrong guess {guess}")).StatusCode);
        }

        var throttled = await SignInAsync(clinic, neighbour.PatientId, Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Equal("application/problem+json", throttled.Content.Headers.ContentType?.MediaType);

        // The address is not blocked: the clinic's next patient signs up as usual.
        var next = (await InvitedAsync(1))[0];
        Assert.Equal(HttpStatusCode.OK, (await VerifyAsync(clinic, next, next.AccessCode)).StatusCode);
    }

    private HttpClient PatientClient()
    {
        var client = platform.Gateway.CreateClient();
        client.DefaultRequestHeaders.Add("X-Forwarded-For", ClinicAddress);
        return client;
    }

    private static Task<HttpResponseMessage> VerifyAsync(HttpClient client, Invited patient, string code) =>
        client.PostAsJsonAsync("/portal/api/registration/verify", new { token = patient.Token, dateOfBirth = DateOfBirth, code });

    private static Task<HttpResponseMessage> SignInAsync(HttpClient client, string username, string password) =>
        client.PostAsJsonAsync("/portal/api/sign-in", new { username, password });

    /// <summary>Staff record and invite <paramref name="count"/> patients of a new practice; each gets a registration with its link's token and access code.</summary>
    private async Task<IReadOnlyList<Invited>> InvitedAsync(int count)
    {
        var practice = Guid.NewGuid();
        var staff = platform.Client(practice);
        var patientIds = Enumerable.Range(1, count).Select(i => $"p{i}-{Guid.NewGuid():N}"[..24]).ToList();
        var invitations = new Dictionary<Guid, string>();
        foreach (var patientId in patientIds)
        {
            var recorded = await staff.PutAsJsonAsync($"/api/patients/{patientId}", new
            {
                firstName = "Avery", lastName = "Clinic", dateOfBirth = DateOfBirth, email = $"{patientId}@example.test", phone = "+12015550123",
            });
            Assert.Equal(HttpStatusCode.OK, recorded.StatusCode);
            var invited = await staff.PostAsJsonAsync($"/api/patients/{patientId}/portal/invitations", new { });
            Assert.Equal(HttpStatusCode.Created, invited.StatusCode);
            invitations[(await invited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("invitationId").GetGuid()] = patientId;
        }

        var registrations = await Eventually.GetAsync(async () =>
        {
            await using var session = platform.Identity.Services.GetRequiredService<IDocumentStore>().QuerySession();
            var found = await session.Query<Registration>().Where(r => r.PracticeId == practice).ToListAsync();
            return found.Count == count ? found : null;
        }, TimeSpan.FromSeconds(60), $"Identity-Verification to open {count} registrations");
        var secrets = platform.Identity.Services.GetRequiredService<RegistrationSecrets>();
        return [.. registrations
            .Select(r => new Invited(invitations[r.InvitationId], r.Id, secrets.TokenFor(r.Id), secrets.AccessCodeFor(r.Id)))
            .OrderBy(p => p.PatientId, StringComparer.Ordinal)];
    }
}
