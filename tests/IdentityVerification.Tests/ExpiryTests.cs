using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace PortalPlatform.IdentityVerification.Tests;

/// <summary>Its own service and clock: moving the clock days ahead must not disturb the other classes' tokens.</summary>
public sealed class ExpiryTests(IdentityHost host) : IClassFixture<IdentityHost>
{
    [Fact]
    public async Task An_expired_token_is_refused_with_the_same_answer_as_any_failure()
    {
        var patient = await host.InviteAsync(lifetime: TimeSpan.FromDays(14));
        var accessCode = await host.AccessCodeAsync(patient);

        host.Clock.Advance(TimeSpan.FromDays(14) + TimeSpan.FromMinutes(1));
        var response = await host.VerifyAsync(patient.Token, patient.DateOfBirth, accessCode);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("The details do not match our records.", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_texted_code_stops_working_after_ten_minutes()
    {
        var patient = await host.InviteAsync();
        var code = await host.TextedCodeAsync(patient);

        host.Clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        var late = await host.VerifyAsync(patient.Token, patient.DateOfBirth, code);

        Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
        // A fresh code works again.
        await host.VerifiedAsync(patient, await host.TextedCodeAsync(patient));
    }

    [Fact]
    public async Task A_second_code_is_texted_only_after_the_resend_interval()
    {
        var patient = await host.InviteAsync();
        var first = await host.TextedCodeAsync(patient);

        // Asked again at once: refused (still 202). Asked after 31 seconds: sent.
        Assert.Equal(HttpStatusCode.Accepted, (await host.Client.PostAsJsonAsync("/portal/api/registration/code", new { token = patient.Token })).StatusCode);
        host.Clock.Advance(TimeSpan.FromSeconds(31));
        var second = await host.TextedCodeAsync(patient);

        var sent = host.OneTimeCodes.Where(c => c.PatientId == patient.PatientId).ToList();
        Assert.Equal(2, sent.Count);
        Assert.NotEqual(first, second);
        Assert.Equal(TimeSpan.FromSeconds(31), sent[1].ExpiresAt - sent[0].ExpiresAt);
    }
}
