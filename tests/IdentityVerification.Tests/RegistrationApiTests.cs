using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using PortalPlatform.Contracts;
using PortalPlatform.Testing;

namespace PortalPlatform.IdentityVerification.Tests;

/// <summary>The patient's registration over HTTP, against real PostgreSQL and RabbitMQ.</summary>
public sealed class RegistrationApiTests(IdentityHost host) : IClassFixture<IdentityHost>
{
    private const string Uniform = "The details do not match our records.";

    [Fact]
    public async Task Full_registration_with_a_texted_code_enrolls_the_patient_and_sign_in_returns_a_patient_token()
    {
        // Given an invitation (the link reaches only the Notification queue)
        var patient = await host.InviteAsync();

        // When the patient asks for a code, verifies and sets up the account
        var code = await host.TextedCodeAsync(patient);
        Assert.Matches("^[0-9]{6}$", code);
        var registrationId = await host.VerifiedAsync(patient, code);
        var completed = await host.CompleteAsync(registrationId, "avery.full", "correct horse battery");

        // Then it is enrolled: events published, sign-in works and the session is live
        Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
        var verified = await host.BroadcastAsync<IdentityVerified>(e => e.RegistrationId == registrationId);
        Assert.Equal(VerificationMethod.OneTimeCode, verified.Method);
        Assert.Equal(patient.InvitationId, verified.InvitationId);
        var registered = await host.BroadcastAsync<RegistrationCompleted>(e => e.RegistrationId == registrationId);
        Assert.False(registered.LinkedExistingAccount);
        Assert.Equal((patient.PracticeId, patient.PatientId), (registered.PracticeId, registered.PatientId));

        var signIn = await host.SignInAsync("Avery.Full", "correct horse battery");
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        var session = await SessionAsync(await AccessTokenOf(signIn));
        Assert.Equal(HttpStatusCode.OK, session.StatusCode);
    }

    [Fact]
    public async Task Staff_see_the_access_code_only_for_their_own_practice_and_the_patient_can_verify_with_it()
    {
        var patient = await host.InviteAsync();

        var otherPractice = await host.StaffClient(Guid.NewGuid())
            .GetAsync($"/api/patients/{patient.PatientId}/portal/invitations/{patient.InvitationId}/access-code");
        Assert.Equal(HttpStatusCode.NotFound, otherPractice.StatusCode);
        var anonymous = await host.Client.GetAsync($"/api/patients/{patient.PatientId}/portal/invitations/{patient.InvitationId}/access-code");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        var accessCode = await host.AccessCodeAsync(patient);
        var registrationId = await host.VerifiedAsync(patient, accessCode.ToLowerInvariant());

        var verified = await host.BroadcastAsync<IdentityVerified>(e => e.RegistrationId == registrationId);
        Assert.Equal(VerificationMethod.AccessCode, verified.Method);
    }

    [Fact]
    public async Task A_used_token_is_refused()
    {
        var patient = await host.InviteAsync();
        var accessCode = await host.AccessCodeAsync(patient);
        var registrationId = await host.VerifiedAsync(patient, accessCode);
        Assert.Equal(HttpStatusCode.OK, (await host.CompleteAsync(registrationId, "avery.used", "a long enough secret")).StatusCode);

        // The right details no longer open anything, and the registration cannot complete twice.
        await AssertUniformFailure(await host.VerifyAsync(patient.Token, patient.DateOfBirth, accessCode));
        await AssertUniformFailure(await host.CompleteAsync(registrationId, "avery.used2", "another long secret"));
    }

    [Fact]
    public async Task Knowing_the_registration_id_alone_does_not_complete_a_registration()
    {
        var patient = await host.InviteAsync();
        var registrationId = await host.VerifiedAsync(patient, await host.AccessCodeAsync(patient));
        var broadcastId = (await host.BroadcastAsync<IdentityVerified>(e => e.InvitationId == patient.InvitationId)).RegistrationId;

        // Another client (no cookie from the identity check) that read the id off the broadcast event.
        using var eavesdropper = host.Service.CreateClient();
        var stolen = await eavesdropper.PostAsJsonAsync("/portal/api/registration/complete", new { registrationId = broadcastId, username = "mallory", password = "taking over this one" });
        await AssertUniformFailure(stolen);

        // The patient's own browser keeps the cookie; a client without cookies can present the link's token instead.
        using var cookieless = host.Service.CreateClient();
        var withToken = await cookieless.PostAsJsonAsync("/portal/api/registration/complete",
            new { registrationId, username = "avery.token", password = "finishing from the app", token = patient.Token });
        Assert.Equal(HttpStatusCode.OK, withToken.StatusCode);
    }

    [Fact]
    public async Task Every_failed_check_answers_the_same_whatever_was_wrong()
    {
        var patient = await host.InviteAsync();
        var accessCode = await host.AccessCodeAsync(patient);

        var unknownToken = await host.VerifyAsync("not-a-token-we-issued", patient.DateOfBirth, accessCode);
        var wrongDateOfBirth = await host.VerifyAsync(patient.Token, patient.DateOfBirth.AddDays(1), accessCode);
        var wrongCode = await host.VerifyAsync(patient.Token, patient.DateOfBirth, "ZZZZZ-ZZZZZ");

        var bodies = new List<string>();
        foreach (var response in new[] { unknownToken, wrongDateOfBirth, wrongCode })
        {
            bodies.Add(await AssertUniformFailure(response));
        }

        Assert.Single(bodies.Distinct());
    }

    [Fact]
    public async Task Asking_for_a_code_answers_202_whether_or_not_the_token_exists()
    {
        var patient = await host.InviteAsync();

        var known = await host.Client.PostAsJsonAsync("/portal/api/registration/code", new { token = patient.Token });
        var unknown = await host.Client.PostAsJsonAsync("/portal/api/registration/code", new { token = "no-such-token" });

        Assert.Equal(HttpStatusCode.Accepted, known.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, unknown.StatusCode);
        Assert.Equal(await known.Content.ReadAsStringAsync(), await unknown.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Bad_input_gets_a_problem_naming_the_field_and_changes_nothing()
    {
        var patient = await host.InviteAsync();

        var response = await host.Client.PostAsJsonAsync("/portal/api/registration/verify", new { token = patient.Token, dateOfBirth = "12/04/1980", code = "123456" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("dateOfBirth", out _));
        // Nothing was counted: the patient still verifies with the real details.
        await host.VerifiedAsync(patient, await host.AccessCodeAsync(patient));
    }

    [Fact]
    public async Task Five_failed_checks_lock_the_registration_until_staff_reinvite()
    {
        var patient = await host.InviteAsync();
        var accessCode = await host.AccessCodeAsync(patient);

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            await AssertUniformFailure(await host.VerifyAsync(patient.Token, patient.DateOfBirth, "WRONG-CODE" + attempt));
        }

        var locked = await host.BroadcastAsync<IdentityVerificationLocked>(e => e.InvitationId == patient.InvitationId);
        Assert.Equal(5, locked.FailedAttempts);
        // Even the right details are refused now, with the same answer.
        await AssertUniformFailure(await host.VerifyAsync(patient.Token, patient.DateOfBirth, accessCode));

        // Staff re-invite: a new link works, the old one stays dead.
        var reinvited = await host.InviteAsync(patient, InvitationTemplate.Reinvitation);
        Assert.NotEqual(patient.Token, reinvited.Token);
        await host.VerifiedAsync(reinvited, await host.AccessCodeAsync(reinvited));
        await AssertUniformFailure(await host.VerifyAsync(patient.Token, patient.DateOfBirth, accessCode));
    }

    [Fact]
    public async Task A_revoked_patient_is_told_exactly_to_ask_their_doctor_and_their_session_ends()
    {
        var patient = await host.RegisteredAsync("avery.revoked", "my old long password");
        var signedIn = await host.SignInAsync("avery.revoked", "my old long password");
        var token = await AccessTokenOf(signedIn);

        await host.PublishAsync(new AccessRevoked(Guid.NewGuid(), patient.PracticeId, patient.PatientId, host.Clock.GetUtcNow(), RevocationReason.PatientRequest, "admin-1"));

        var refused = await Eventually.GetAsync(async () =>
        {
            var response = await host.SignInAsync("avery.revoked", "my old long password");
            return response.StatusCode == HttpStatusCode.Forbidden ? response : null;
        }, what: "sign-in to be refused after the revocation");
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Ask your doctor to provide access to your health records.", problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await SessionAsync(token)).StatusCode);
    }

    [Fact]
    public async Task A_revoked_patients_token_is_refused_by_the_patient_authentication_itself_at_once_not_when_it_expires()
    {
        var patient = await host.RegisteredAsync("avery.cutoff", "a long enough phrase");
        var token = await AccessTokenOf(await host.SignInAsync("avery.cutoff", "a long enough phrase"));
        // The check would see a working token: the patient scheme accepts it, and so does the session endpoint.
        Assert.True((await AuthenticateAsync(token)).Succeeded);
        Assert.Equal(HttpStatusCode.OK, (await SessionAsync(token)).StatusCode);

        await host.PublishAsync(new AccessRevoked(Guid.NewGuid(), patient.PracticeId, patient.PatientId, host.Clock.GetUtcNow(), RevocationReason.Security, "admin-1"));
        await Eventually.TrueAsync(async () => (await host.SignInAsync("avery.cutoff", "a long enough phrase")).StatusCode == HttpStatusCode.Forbidden,
            what: "the revocation to reach Identity-Verification");

        // Not one tick of the (fake) clock later: the token's 15 minutes are not over, yet every patient endpoint refuses it.
        var refused = await AuthenticateAsync(token);
        Assert.False(refused.Succeeded);
        Assert.Equal("The session has ended.", refused.Failure?.Message);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SessionAsync(token)).StatusCode);
    }

    [Fact]
    public async Task After_a_revocation_and_reinvite_the_patient_verifies_and_sets_up_again_and_the_old_password_stops_working()
    {
        var patient = await host.RegisteredAsync("avery.again", "my first long password");
        await host.PublishAsync(new AccessRevoked(Guid.NewGuid(), patient.PracticeId, patient.PatientId, host.Clock.GetUtcNow(), RevocationReason.Other, "admin-1"));
        await Eventually.TrueAsync(async () => (await host.SignInAsync("avery.again", "my first long password")).StatusCode == HttpStatusCode.Forbidden);

        var reinvited = await host.InviteAsync(patient, InvitationTemplate.Reinvitation);
        // Set-up needs a fresh identity check: the earlier (used) registration cannot complete again.
        await AssertUniformFailure(await host.CompleteAsync(patient.RegistrationId, "avery.again", "my second long password"));
        var registrationId = await host.VerifiedAsync(reinvited, await host.TextedCodeAsync(reinvited));
        var completed = await host.CompleteAsync(registrationId, "avery.again", "my second long password");

        Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.SignInAsync("avery.again", "my first long password")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.SignInAsync("avery.again", "my second long password")).StatusCode);
        await host.BroadcastAsync<RegistrationCompleted>(e => e.RegistrationId == registrationId);
    }

    [Fact]
    public async Task A_patient_with_an_account_at_another_practice_links_the_new_practice_to_it()
    {
        var atFirstPractice = await host.RegisteredAsync("avery.linked", "one account for all");
        var atSecondPractice = await host.InviteAsync(Invitee.New());
        var registrationId = await host.VerifiedAsync(atSecondPractice, await host.AccessCodeAsync(atSecondPractice));

        Assert.Equal(HttpStatusCode.Unauthorized, (await host.LinkAsync(registrationId, "avery.linked", "not the password")).StatusCode);
        var linked = await host.LinkAsync(registrationId, "avery.linked", "one account for all");

        Assert.Equal(HttpStatusCode.OK, linked.StatusCode);
        var completed = await host.BroadcastAsync<RegistrationCompleted>(e => e.RegistrationId == registrationId);
        Assert.True(completed.LinkedExistingAccount);
        var firstAccount = await host.BroadcastAsync<RegistrationCompleted>(e => e.RegistrationId == atFirstPractice.RegistrationId);
        Assert.Equal(firstAccount.AccountId, completed.AccountId);
        var session = await (await SessionAsync(await AccessTokenOf(await host.SignInAsync("avery.linked", "one account for all")))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, session.GetProperty("practices").GetArrayLength());
    }

    [Fact]
    public async Task A_taken_username_or_a_common_password_is_refused_naming_the_field()
    {
        await host.RegisteredAsync("avery.taken", "a perfectly fine phrase");
        var patient = await host.InviteAsync();
        var registrationId = await host.VerifiedAsync(patient, await host.AccessCodeAsync(patient));

        var taken = await host.CompleteAsync(registrationId, "Avery.Taken", "another fine phrase");
        var common = await host.CompleteAsync(registrationId, "avery.fresh", "password123");
        var tooShort = await host.CompleteAsync(registrationId, "avery.fresh", "short");

        Assert.True((await ErrorsOf(taken)).TryGetProperty("username", out _));
        Assert.True((await ErrorsOf(common)).TryGetProperty("password", out _));
        Assert.True((await ErrorsOf(tooShort)).TryGetProperty("password", out _));
        Assert.Equal(HttpStatusCode.OK, (await host.CompleteAsync(registrationId, "avery.fresh", "another fine phrase")).StatusCode);
    }

    [Fact]
    public async Task Wrong_credentials_get_401_without_a_hint_and_repeated_failures_are_throttled()
    {
        await host.RegisteredAsync("avery.throttled", "the right long password");

        var wrongPassword = await host.SignInAsync("avery.throttled", "the wrong long password");
        var unknownUser = await host.SignInAsync("nobody.at.all", "the right long password");
        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknownUser.StatusCode);
        Assert.Equal(DetailOf(await wrongPassword.Content.ReadFromJsonAsync<JsonElement>()), DetailOf(await unknownUser.Content.ReadFromJsonAsync<JsonElement>()));

        for (var attempt = 2; attempt <= 5; attempt++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await host.SignInAsync("avery.throttled", "guess " + attempt)).StatusCode);
        }

        // Throttled now, even with the right password.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await host.SignInAsync("avery.throttled", "the right long password")).StatusCode);
    }

    [Fact]
    public async Task Parallel_wrong_passwords_for_one_username_are_counted_exactly()
    {
        await host.RegisteredAsync("avery.parallel", "the right long password");

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => host.SignInAsync("avery.parallel", "parallel guess " + i)));

        // Exactly the limit's worth of guesses is looked at; every other one is refused unseen, and all twenty are counted.
        Assert.Equal(5, answers.Count(a => a.StatusCode == HttpStatusCode.Unauthorized));
        Assert.Equal(15, answers.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests));
        Assert.Equal(20, await host.SignInAttemptsAsync("avery.parallel"));
        Assert.Equal(HttpStatusCode.TooManyRequests, (await host.SignInAsync("avery.parallel", "the right long password")).StatusCode);
    }

    [Fact]
    public async Task A_cancelled_invitation_voids_its_registration()
    {
        var patient = await host.InviteAsync();
        var accessCode = await host.AccessCodeAsync(patient);

        await host.PublishAsync(new InviteCancelled(Guid.NewGuid(), patient.PracticeId, patient.PatientId, host.Clock.GetUtcNow(), patient.InvitationId, "staff-1"));

        await Eventually.TrueAsync(async () => (await host.VerifyAsync(patient.Token, patient.DateOfBirth, accessCode)).StatusCode == HttpStatusCode.BadRequest,
            what: "the cancelled invitation's token to be refused");
    }

    [Fact]
    public async Task An_expired_invitation_voids_its_registration()
    {
        var patient = await host.InviteAsync();
        var accessCode = await host.AccessCodeAsync(patient);

        await host.PublishAsync(new InviteExpired(Guid.NewGuid(), patient.PracticeId, patient.PatientId, host.Clock.GetUtcNow(), patient.InvitationId));

        await Eventually.TrueAsync(async () => (await host.VerifyAsync(patient.Token, patient.DateOfBirth, accessCode)).StatusCode == HttpStatusCode.BadRequest,
            what: "the expired invitation's token to be refused");
    }

    [Fact]
    public async Task Parallel_wrong_guesses_are_each_counted_and_lock_at_five()
    {
        var patient = await host.InviteAsync();
        var accessCode = await host.AccessCodeAsync(patient);

        var guesses = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => host.VerifyAsync(patient.Token, patient.DateOfBirth, $"GUESS{i:00}")));

        Assert.All(guesses, g => Assert.Equal(HttpStatusCode.BadRequest, g.StatusCode));
        var locked = await host.BroadcastAsync<IdentityVerificationLocked>(e => e.InvitationId == patient.InvitationId);
        Assert.Equal(5, locked.FailedAttempts);
        await AssertUniformFailure(await host.VerifyAsync(patient.Token, patient.DateOfBirth, accessCode));
    }

    [Fact]
    public async Task A_reinvitation_that_overtakes_the_revocation_event_is_not_voided_by_it()
    {
        var patient = await host.RegisteredAsync("avery.overtaken", "before the revocation");
        var revokedAt = host.Clock.GetUtcNow();
        host.Clock.Advance(TimeSpan.FromSeconds(5));
        var reinvited = await host.InviteAsync(patient, InvitationTemplate.Reinvitation);

        // The revocation (which happened before the re-invite) arrives late.
        await host.PublishAsync(new AccessRevoked(Guid.NewGuid(), patient.PracticeId, patient.PatientId, revokedAt, RevocationReason.Security, "admin-1"));
        await Eventually.TrueAsync(async () => (await host.SignInAsync("avery.overtaken", "before the revocation")).StatusCode == HttpStatusCode.Forbidden);

        await host.VerifiedAsync(reinvited, await host.AccessCodeAsync(reinvited));
    }

    [Fact]
    public async Task A_caregiver_invitation_leaves_the_patients_own_alone_and_proxy_revocation_ends_only_the_caregivers_access()
    {
        var patient = await host.InviteAsync();
        var proxyId = Guid.NewGuid();
        var caregiver = await host.InviteAsync(patient, InvitationTemplate.ProxyInvitation, proxyId: proxyId);

        // Both registrations work side by side.
        var own = await host.VerifiedAsync(patient, await host.AccessCodeAsync(patient));
        Assert.Equal(HttpStatusCode.OK, (await host.CompleteAsync(own, "avery.self", "the patient's own phrase")).StatusCode);
        var proxy = await host.VerifiedAsync(caregiver, await host.AccessCodeAsync(caregiver));
        Assert.Equal(HttpStatusCode.OK, (await host.CompleteAsync(proxy, "jordan.caregiver", "the caregiver's phrase")).StatusCode);

        await host.PublishAsync(new ProxyAccessRevoked(Guid.NewGuid(), patient.PracticeId, patient.PatientId, host.Clock.GetUtcNow(), proxyId, "admin-1"));

        await Eventually.TrueAsync(async () => (await host.SignInAsync("jordan.caregiver", "the caregiver's phrase")).StatusCode == HttpStatusCode.Forbidden,
            what: "the caregiver's sign-in to be refused");
        Assert.Equal(HttpStatusCode.OK, (await host.SignInAsync("avery.self", "the patient's own phrase")).StatusCode);
    }

    [Fact]
    public async Task A_redelivered_CreateRegistration_opens_no_second_registration()
    {
        var patient = Invitee.New();
        var command = new CreateRegistration(Guid.NewGuid(), patient.PracticeId, patient.PatientId, Guid.NewGuid(), host.Clock.GetUtcNow().AddDays(14),
            "Riverside Family Practice", "Avery", patient.DateOfBirth, null, "+12015550123", InvitationTemplate.Invitation, null);

        await host.SendAsync(command);
        await host.SendAsync(command);
        var later = await host.InviteAsync(patient);

        // Both copies were handled before the later invitation; had the copy opened a registration, the count would be 2.
        var deliveries = host.Invitations.Count(i => i.InvitationId == command.InvitationId);
        Assert.Equal(1, deliveries);
        Assert.NotEqual(command.InvitationId, later.InvitationId);
    }

    private async Task<HttpResponseMessage> SessionAsync(string accessToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/portal/api/session");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return await host.Client.SendAsync(request);
    }

    /// <summary>What the patient scheme makes of the token, as any endpoint behind the patient policy would see it.</summary>
    private async Task<AuthenticateResult> AuthenticateAsync(string accessToken)
    {
        await using var scope = host.Service.Services.CreateAsyncScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        http.Request.Headers.Authorization = "Bearer " + accessToken;
        return await http.AuthenticateAsync(SigningIn.PatientAuthentication.Scheme);
    }

    private static async Task<string> AccessTokenOf(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    private static async Task<JsonElement> ErrorsOf(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
    }

    private static string? DetailOf(JsonElement problem) => problem.GetProperty("detail").GetString();

    /// <summary>Asserts the one failure answer and returns it without its per-request trace id.</summary>
    private static async Task<string> AssertUniformFailure(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(Uniform, DetailOf(problem));
        Assert.False(problem.TryGetProperty("errors", out _));
        return $"{problem.GetProperty("status")}|{problem.GetProperty("title")}|{DetailOf(problem)}|{problem.GetProperty("type")}";
    }
}
