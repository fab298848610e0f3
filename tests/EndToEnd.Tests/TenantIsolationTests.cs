using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PortalPlatform.Testing;

namespace PortalPlatform.EndToEnd.Tests;

/// <summary>Tenant isolation through the gateway, across every service behind it.</summary>
[Collection(PlatformCollection.Name)]
public sealed class TenantIsolationTests(RunningPlatform platform)
{
    [Fact]
    public async Task Staff_of_another_practice_learn_nothing_about_a_patient_from_any_service()
    {
        // Given an invited patient of one practice, whose messages went out
        var practiceId = Guid.NewGuid();
        var admin = await platform.StaffClientAsync(practiceId, "admin");
        var patientId = $"e2e-{Guid.NewGuid():N}"[..20];
        await Story.SucceedsAsync(admin.PutAsJsonAsync($"/api/patients/{patientId}", new
        {
            firstName = "Ada", lastName = "Byron", dateOfBirth = "1990-03-01", email = $"ada.{patientId}@example.test", phone = "+12015550142",
        }));
        var invitation = await Story.ReadAsync<JsonElement>(admin.PostAsJsonAsync($"/api/patients/{patientId}/portal/invitations", new { }));
        var invitationId = invitation.GetProperty("invitationId").GetString();
        var patient = $"/api/patients/{patientId}";
        // 90 s like the other first-message waits: when this test runs first, the platform's first messages pass
        // through services that have not run anything yet (a minute once on a busy 2-core machine).
        await Eventually.TrueAsync(async () => (await admin.GetFromJsonAsync<JsonElement>($"{patient}/portal/deliveries")).GetArrayLength() == 2,
            TimeSpan.FromSeconds(90), what: "the email and the text in the practice's delivery log");
        await Eventually.TrueAsync(async () => (await admin.GetAsync($"{patient}/portal/invitations/{invitationId}/access-code")).IsSuccessStatusCode,
            TimeSpan.FromSeconds(90), what: "the access code for the practice");

        // When an admin of another practice asks every service about that patient
        var stranger = await platform.StaffClientAsync(Guid.NewGuid(), "admin", "stranger");
        var answers = new Dictionary<string, HttpResponseMessage>
        {
            ["demographics"] = await stranger.GetAsync(patient),
            ["portal"] = await stranger.GetAsync($"{patient}/portal"),
            ["history"] = await stranger.GetAsync($"{patient}/portal/history"),
            ["access code"] = await stranger.GetAsync($"{patient}/portal/invitations/{invitationId}/access-code"),
            ["invite"] = await stranger.PostAsJsonAsync($"{patient}/portal/invitations", new { }),
            ["revoke"] = await stranger.PostAsJsonAsync($"{patient}/portal/revocation", new { reason = "Other" }),
            ["cancel"] = await stranger.DeleteAsync($"{patient}/portal/invitations/{invitationId}"),
        };
        var deliveries = await stranger.GetFromJsonAsync<JsonElement>($"{patient}/portal/deliveries");

        // Then every answer is a plain 404 (or an empty delivery log), and nothing changed for the practice
        foreach (var (what, response) in answers)
        {
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{what} answered {(int)response.StatusCode}");
            Assert.DoesNotContain("Byron", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(0, deliveries.GetArrayLength());
        var portal = await admin.GetFromJsonAsync<JsonElement>($"{patient}/portal");
        Assert.Equal("Invitation sent", portal.GetProperty("statusText").GetString());
        Assert.Equal(invitationId, portal.GetProperty("invitation").GetProperty("invitationId").GetString());
    }
}
