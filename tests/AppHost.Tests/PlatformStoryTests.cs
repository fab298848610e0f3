using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PortalPlatform.Testing;
using PortalPlatform.Testing.Platform;
using Xunit.Abstractions;

namespace PortalPlatform.AppHost.Tests;

/// <summary>The whole platform through the real AppHost: the DESIGN.md story through the gateway, traced end to end.</summary>
[Collection(AppHostCollection.Name)]
public sealed class PlatformStoryTests(AspirePlatform platform, ITestOutputHelper output)
{
    private const string Refused = "Ask your doctor to provide access to your health records.";

    [Fact]
    public async Task Revoke_and_reinvite_story_runs_through_the_gateway_and_the_dashboard_holds_one_invitation_trace_across_every_service()
    {
        output.WriteLine($"all resources healthy in {platform.StartedIn.TotalSeconds:0.0} s");
        using var portal = new PortalClient(platform);

        // Given an enrolled patient
        var admin = await portal.StaffTokenAsync("admin");
        const string email = "robin.example@patients.test";
        const string phone = "+12025550123";
        const string dateOfBirth = "1980-04-12";
        var patientId = await portal.AddPatientAsync(admin, email, phone, dateOfBirth);
        await portal.SendOkAsync(HttpMethod.Post, $"/api/patients/{patientId}/portal/invitations", admin, new { });
        await portal.RegisterAsync(await portal.InvitationTokenAsync(email), phone, dateOfBirth, "robin", "first-Passw0rd!");
        await PortalClient.PatientlyAsync(async () => (await portal.SignInAsync("robin", "first-Passw0rd!")).StatusCode == HttpStatusCode.OK, "first sign-in");

        // When staff revoke access, the patient is refused with exactly the sentence DESIGN.md gives
        await portal.SendOkAsync(HttpMethod.Post, $"/api/patients/{patientId}/portal/revocation", admin, new { reason = "PatientRequest" });
        await PortalClient.PatientlyAsync(async () =>
        {
            using var refused = await portal.SignInAsync("robin", "first-Passw0rd!");
            return refused.StatusCode == HttpStatusCode.Forbidden &&
                   (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString() == Refused;
        }, "sign-in refused after revocation");
        var revoked = await Eventually.GetAsync(async () =>
        {
            var portalStatus = await portal.SendOkAsync(HttpMethod.Get, $"/api/patients/{patientId}/portal", admin);
            return portalStatus.GetProperty("status").GetString() == "AccessRevoked" ? (object)portalStatus : null;
        }, TimeSpan.FromSeconds(30), "the chart status AccessRevoked");
        Assert.Equal("Access revoked", ((JsonElement)revoked).GetProperty("statusText").GetString());

        // And re-invite; the patient reads the new email, verifies and sets up the account again
        await portal.SendOkAsync(HttpMethod.Post, $"/api/patients/{patientId}/portal/invitations", admin, new { });
        var secondToken = await portal.InvitationTokenAsync(email, seen: 1);
        await portal.RegisterAsync(secondToken, phone, dateOfBirth, "robin2", "second-Passw0rd!");

        // Then the new credentials sign in, the old ones do not, and the chart shows Enrolled
        await PortalClient.PatientlyAsync(async () => (await portal.SignInAsync("robin2", "second-Passw0rd!")).StatusCode == HttpStatusCode.OK, "sign-in after re-registration");
        Assert.NotEqual(HttpStatusCode.OK, (await portal.SignInAsync("robin", "first-Passw0rd!")).StatusCode);
        await Eventually.TrueAsync(async () =>
            (await portal.SendOkAsync(HttpMethod.Get, $"/api/patients/{patientId}/portal", admin)).GetProperty("status").GetString() == "Enrolled",
            TimeSpan.FromSeconds(30), "the chart status Enrolled");

        // And the Aspire dashboard's telemetry API holds one invitation trace spanning the gateway, Enrollment, RabbitMQ,
        // Identity-Verification and Notification
        using var dashboard = platform.DashboardApiClient();
        var invitationPath = $"/api/patients/{patientId}/portal/invitations";
        var trace = await Eventually.GetAsync(async () =>
        {
            var gatewaySpans = OtlpSpans.Read(await dashboard.GetFromJsonAsync<JsonElement>("/api/telemetry/traces?resource=gateway"));
            foreach (var traceId in gatewaySpans.Where(s => s.Mentions(invitationPath)).Select(s => s.TraceId).Distinct())
            {
                var spans = OtlpSpans.Read(await dashboard.GetFromJsonAsync<JsonElement>($"/api/telemetry/traces/{traceId}"));
                var services = spans.Select(s => s.Service).ToHashSet();
                if (new[] { "gateway", "enrollment", "identity-verification", "notification" }.All(services.Contains) &&
                    spans.Any(s => s.Attribute("messaging.system") == "rabbitmq"))
                {
                    return spans;
                }
            }

            return null;
        }, TimeSpan.FromSeconds(90), "an invitation trace across gateway, enrollment, rabbitmq, identity-verification and notification");
        // The relay in Enrollment sends through the broker, and Notification receives from it, within that one trace.
        Assert.Contains(trace, s => s.Service == "enrollment" && s.Attributes.Keys.Any(k => k.StartsWith("messaging.", StringComparison.Ordinal)));
        Assert.Contains(trace, s => s.Service == "notification" && s.Attributes.Keys.Any(k => k.StartsWith("messaging.", StringComparison.Ordinal)));
        output.WriteLine($"invitation trace {trace[0].TraceId}: {trace.Count} spans across {string.Join(", ", trace.Select(s => s.Service).Distinct())}");
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AppHostCollection : ICollectionFixture<AspirePlatform>
{
    public const string Name = "AppHost (one platform at a time: 2 cores)";
}
