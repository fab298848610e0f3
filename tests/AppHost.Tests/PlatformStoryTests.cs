using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PortalPlatform.Testing;
using Xunit.Abstractions;

namespace PortalPlatform.AppHost.Tests;

/// <summary>The whole platform from one command: the DESIGN.md story through the gateway, traced end to end.</summary>
[Collection(AppHostCollection.Name)]
public sealed class PlatformStoryTests(ITestOutputHelper output)
{
    private const string Refused = "Ask your doctor to provide access to your health records.";

    [Fact]
    public async Task AppHost_from_a_clean_folder_runs_the_revoke_and_reinvite_story_traces_the_invitation_across_services_and_stops_leaving_no_process()
    {
        await using var host = AppHostProcess.Start();
        IReadOnlyList<(string Name, int Pid)> processes = [];
        try
        {
            // Given the platform started from an empty data folder
            var healthyAfter = await host.WaitAllHealthyAsync(TimeSpan.FromMinutes(5));
            output.WriteLine($"all resources healthy in {healthyAfter.TotalSeconds:0.0} s");
            using var portal = new PortalClient(host);
            var resources = await portal.Http.GetFromJsonAsync<JsonElement>(new Uri(host.Dashboard, "/api/resources"));
            Assert.All(resources.EnumerateArray(), r => Assert.Equal("Running", r.GetProperty("state").GetString()));
            Assert.Contains(resources.EnumerateArray(), r => r.GetProperty("name").GetString() == "gateway" && r.GetProperty("health").GetString() == "Healthy");
            processes = await host.ResourceProcessesAsync(portal.Http);

            // And an enrolled patient
            var admin = await portal.StaffTokenAsync("admin");
            const string email = "robin.example@patients.test";
            const string phone = "+15550100123";
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

            // And the dashboard holds one trace of an invitation spanning gateway, Enrollment, RabbitMQ and Notification
            var trace = await Eventually.GetAsync(async () =>
            {
                var traces = await portal.Http.GetFromJsonAsync<JsonElement>(new Uri(host.Dashboard, $"/api/traces?service=notification&q={patientId}&limit=2000"));
                return traces.EnumerateArray().FirstOrDefault(t =>
                    t.GetProperty("path").GetString() == $"/api/patients/{patientId}/portal/invitations" &&
                    new[] { "gateway", "enrollment", "rabbitmq", "notification" }.All(r => t.GetProperty("resources").EnumerateArray().Any(x => x.GetString() == r))) is { ValueKind: JsonValueKind.Object } found
                    ? (object)found : null;
            }, TimeSpan.FromSeconds(60), "an invitation trace across gateway, enrollment, rabbitmq and notification");
            var traceId = ((JsonElement)trace).GetProperty("traceId").GetString();
            var detail = await portal.Http.GetFromJsonAsync<JsonElement>(new Uri(host.Dashboard, $"/api/traces/{traceId}"));
            var spans = detail.GetProperty("spans").EnumerateArray().ToList();
            Assert.Equal("gateway", spans[0].GetProperty("service").GetString());
            Assert.Contains(spans, s => s.GetProperty("peer").GetString() == "rabbitmq" && s.GetProperty("service").GetString() == "enrollment");
            Assert.Contains(spans, s => s.GetProperty("peer").GetString() == "rabbitmq" && s.GetProperty("service").GetString() == "notification");
            output.WriteLine($"invitation trace {traceId}: {spans.Count} spans across {string.Join(", ", detail.GetProperty("resources").EnumerateArray())}");
        }
        catch
        {
            output.WriteLine(host.Output);
            throw;
        }
        finally
        {
            // Finally Ctrl+C stops everything and leaves no process behind
            await host.StopAsync(TimeSpan.FromMinutes(2));
        }

        Assert.Equal(0, host.ExitCode);
        Assert.Contains("[apphost] stopped", host.Output, StringComparison.Ordinal);
        Assert.NotEmpty(processes);
        await Eventually.TrueAsync(() => processes.All(p => !AppHostProcess.IsAlive(p.Pid)) && host.ProcessesUsingDataDirectory().Count == 0,
            TimeSpan.FromSeconds(30), "every process of the AppHost to be gone");
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AppHostCollection
{
    public const string Name = "AppHost (one platform at a time: 2 cores)";
}
