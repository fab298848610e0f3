using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PortalPlatform.Contracts;
using PortalPlatform.Testing;

namespace PortalPlatform.IdentityVerification.Tests;

/// <summary>POST /portal/api/access-requests: the same answer whatever is true; only a verified proof reaches Enrollment.</summary>
public sealed class AccessRequestApiTests(IdentityHost host) : IClassFixture<IdentityHost>
{
    private async Task<Invitee> RevokedAsync(string username, string password)
    {
        var patient = await host.RegisteredAsync(username, password);
        await host.PublishAsync(new AccessRevoked(Guid.NewGuid(), patient.PracticeId, patient.PatientId, host.Clock.GetUtcNow(), RevocationReason.Privacy, "admin-1"));
        await Eventually.TrueAsync(async () => (await host.SignInAsync(username, password)).StatusCode == HttpStatusCode.Forbidden, what: "the revocation");
        return patient;
    }

    private static async Task<string> AcceptedBodyAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"expected 202, got {(int)response.StatusCode}: {body}");
        return body;
    }

    private int CommandsFor(Invitee patient) =>
        host.AccessRequests.Count(r => r.Command.PracticeId == patient.PracticeId && r.Command.PatientId == patient.PatientId);

    [Fact]
    public async Task Unknown_users_wrong_passwords_active_accounts_and_real_requests_all_get_the_same_answer_and_only_the_real_one_is_passed_on()
    {
        var revoked = await RevokedAsync("avery.asks", "my old long password");
        var active = await host.RegisteredAsync("avery.active", "still signed up fine");

        var bodies = new List<string>
        {
            await AcceptedBodyAsync(await host.AskForAccessAsync(new { username = "nobody.at.all", password = "some password here" })),
            await AcceptedBodyAsync(await host.AskForAccessAsync(new { username = "avery.asks", password = "not the password" })),
            await AcceptedBodyAsync(await host.AskForAccessAsync(new { username = "avery.active", password = "still signed up fine" })),
            await AcceptedBodyAsync(await host.AskForAccessAsync(new { username = "Avery.Asks", password = "my old long password" })),
        };

        Assert.Single(bodies.Distinct());
        Assert.Contains("If the details match our records", bodies[0]);
        var command = await host.AccessRequestForAsync(revoked);
        Assert.Equal((AccessRequestProof.Credentials, (Guid?)null), (command.Proof, command.InvitationId));
        // The real request came last and its command arrived; the earlier ones sent nothing.
        Assert.Equal(1, CommandsFor(revoked));
        Assert.Equal(0, CommandsFor(active));
        var raw = host.AccessRequests.Single(r => r.Command.CommandId == command.CommandId).Body;
        Assert.DoesNotContain("my old long password", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("avery.asks", raw, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("1980-04-12", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_here_counts_like_a_failed_sign_in()
    {
        await RevokedAsync("avery.guessed", "the right long password");

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            await AcceptedBodyAsync(await host.AskForAccessAsync(new { username = "avery.guessed", password = "guess number " + attempt }));
        }

        // The username is now throttled for sign-in too, even with the right password.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await host.SignInAsync("avery.guessed", "the right long password")).StatusCode);
    }

    [Fact]
    public async Task An_ended_link_says_what_happened_and_with_the_right_date_of_birth_asks_the_practice()
    {
        var usable = await host.InviteAsync();
        var expired = await host.InviteAsync(lifetime: TimeSpan.FromHours(1));
        var used = await host.RegisteredAsync("avery.used.link", "a long enough secret");

        Assert.Equal("Usable", await LinkStateAsync(usable.Token));
        Assert.Equal("Used", await LinkStateAsync(used.Token));
        Assert.Equal("Expired", await LinkStateAsync("not-a-token-we-issued"));
        host.Clock.Advance(TimeSpan.FromHours(2));
        Assert.Equal("Expired", await LinkStateAsync(expired.Token));

        var bodies = new List<string>
        {
            await AcceptedBodyAsync(await AskWithLinkAsync(usable.Token, usable.DateOfBirth)),
            await AcceptedBodyAsync(await AskWithLinkAsync(expired.Token, expired.DateOfBirth.AddDays(1))),
            await AcceptedBodyAsync(await AskWithLinkAsync("not-a-token-we-issued", expired.DateOfBirth)),
            await AcceptedBodyAsync(await AskWithLinkAsync(expired.Token, expired.DateOfBirth)),
            await AcceptedBodyAsync(await AskWithLinkAsync(used.Token, used.DateOfBirth)),
        };

        Assert.Single(bodies.Distinct());
        var renewal = await host.AccessRequestForAsync(expired);
        Assert.Equal((AccessRequestProof.ExpiredInvitation, expired.InvitationId), (renewal.Proof, renewal.InvitationId));
        var afterUse = await host.AccessRequestForAsync(used);
        Assert.Equal((AccessRequestProof.UsedInvitation, used.InvitationId), (afterUse.Proof, afterUse.InvitationId));
        Assert.Equal(1, CommandsFor(expired));
        Assert.Equal(0, CommandsFor(usable));
        Assert.DoesNotContain(host.AccessRequests, r => r.Body.Contains(expired.Token, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("{}", "username")]
    [InlineData("""{"username":"a","password":"b","token":"t","dateOfBirth":"1980-04-12"}""", "username")]
    [InlineData("""{"username":"avery"}""", "password")]
    [InlineData("""{"token":"t","dateOfBirth":"12/04/1980"}""", "dateOfBirth")]
    [InlineData("""{"dateOfBirth":"1980-04-12"}""", "token")]
    public async Task Bad_input_gets_a_problem_naming_the_field(string body, string field)
    {
        var response = await host.Client.PostAsync("/portal/api/access-requests", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    private Task<HttpResponseMessage> AskWithLinkAsync(string token, DateOnly dateOfBirth) =>
        host.AskForAccessAsync(new { token, dateOfBirth = dateOfBirth.ToString("yyyy-MM-dd") });

    private async Task<string> LinkStateAsync(string token)
    {
        var response = await host.Client.PostAsJsonAsync("/portal/api/registration/status", new { token });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString()!;
    }
}
