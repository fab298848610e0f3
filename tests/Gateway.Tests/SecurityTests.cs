using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using PortalPlatform.ServiceDefaults.Security;

namespace PortalPlatform.Gateway.Tests;

/// <summary>Who may reach what, over HTTP through the real gateway in front of the real Enrollment service.</summary>
public sealed class SecurityTests(GatewayInFrontOfEnrollment platform) : IClassFixture<GatewayInFrontOfEnrollment>
{
    private static async Task<string> RecordPatientAsync(HttpClient staff, string phone = "+12015550100")
    {
        var patientId = Guid.NewGuid().ToString();
        var response = await staff.PutAsJsonAsync($"/api/patients/{patientId}", new
        {
            firstName = "Ada", lastName = "Lovelace", dateOfBirth = "1980-04-02", email = "ada@example.test", phone,
        });
        Assert.True(response.IsSuccessStatusCode, $"recording demographics answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return patientId;
    }

    private static async Task<JsonElement> ProblemOf(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task A_request_without_a_token_gets_401_problem_details()
    {
        var response = await platform.Client().GetAsync($"/api/patients/{Guid.NewGuid()}/portal");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(401, (await ProblemOf(response)).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task A_token_signed_with_another_key_gets_401()
    {
        var client = platform.Client();
        var forged = platform.TokenFor(Guid.NewGuid(), StaffRoles.Admin);
        var parts = forged.Split('.');
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", $"{parts[0]}.{parts[1]}.{parts[2][..^4]}AAAA");

        var response = await client.GetAsync($"/api/patients/{Guid.NewGuid()}/portal");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Staff_of_another_practice_get_404_for_a_patient_that_exists()
    {
        var practice = Guid.NewGuid();
        var patientId = await RecordPatientAsync(platform.Client(practice));
        var own = await platform.Client(practice, StaffRoles.Staff).GetAsync($"/api/patients/{patientId}/portal");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);

        var stranger = platform.Client(Guid.NewGuid(), StaffRoles.Admin);
        var portal = await stranger.GetAsync($"/api/patients/{patientId}/portal");
        var demographics = await stranger.GetAsync($"/api/patients/{patientId}");
        var invite = await stranger.PostAsJsonAsync($"/api/patients/{patientId}/portal/invitations", new { });
        var unknownId = Guid.NewGuid().ToString();
        var unknown = await stranger.GetAsync($"/api/patients/{unknownId}/portal");

        Assert.Equal(HttpStatusCode.NotFound, portal.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, demographics.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, invite.StatusCode);
        // Nothing tells the stranger the patient exists: the answer reads exactly like the one for a patient nobody has.
        var problem = await ProblemOf(portal);
        var nobody = await ProblemOf(unknown);
        Assert.Equal(nobody.GetProperty("title").GetString(), problem.GetProperty("title").GetString());
        Assert.Equal(
            nobody.TryGetProperty("detail", out var d1) ? d1.ToString().Replace(unknownId, "{id}", StringComparison.Ordinal) : null,
            problem.TryGetProperty("detail", out var d2) ? d2.ToString().Replace(patientId, "{id}", StringComparison.Ordinal) : null);
        Assert.DoesNotContain("Lovelace", await portal.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_staff_role_may_not_invite_when_the_practice_lets_only_admins_invite()
    {
        var practice = Guid.NewGuid();
        var admin = platform.Client(practice, StaffRoles.Admin);
        var patientId = await RecordPatientAsync(admin);
        var settings = await admin.PutAsJsonAsync("/api/practice/portal-settings", new
        {
            autoInvite = false, whoCanInvite = "AdminsOnly", invitationLifetimeDays = 14, practiceName = "Harbour Practice",
        });
        Assert.True(settings.IsSuccessStatusCode, $"settings answered {(int)settings.StatusCode}: {await settings.Content.ReadAsStringAsync()}");

        var asStaff = await platform.Client(practice, StaffRoles.Staff).PostAsJsonAsync($"/api/patients/{patientId}/portal/invitations", new { });
        var asAdmin = await admin.PostAsJsonAsync($"/api/patients/{patientId}/portal/invitations", new { });

        Assert.Equal(HttpStatusCode.Forbidden, asStaff.StatusCode);
        Assert.Equal(403, (await ProblemOf(asStaff)).GetProperty("status").GetInt32());
        Assert.Equal(HttpStatusCode.Created, asAdmin.StatusCode);
    }

    [Fact]
    public async Task Revoking_as_a_staff_role_gets_403_and_changes_nothing()
    {
        var practice = Guid.NewGuid();
        var patientId = await RecordPatientAsync(platform.Client(practice));
        var staff = platform.Client(practice, StaffRoles.Staff);
        var before = await staff.GetFromJsonAsync<JsonElement>($"/api/patients/{patientId}/portal");

        var response = await staff.PostAsJsonAsync($"/api/patients/{patientId}/portal/revocation", new { reason = "PatientRequest" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(403, (await ProblemOf(response)).GetProperty("status").GetInt32());
        var after = await staff.GetFromJsonAsync<JsonElement>($"/api/patients/{patientId}/portal");
        Assert.Equal(before.GetProperty("status").GetString(), after.GetProperty("status").GetString());
        Assert.Equal(before.GetProperty("version").ToString(), after.GetProperty("version").ToString());
    }

    [Fact]
    public async Task A_provider_may_revoke()
    {
        var practice = Guid.NewGuid();
        var admin = platform.Client(practice);
        var patientId = await RecordPatientAsync(admin);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync($"/api/patients/{patientId}/portal/invitations", new { })).StatusCode);
        var provider = platform.Client(practice, StaffRoles.Provider);

        var response = await provider.PostAsJsonAsync($"/api/patients/{patientId}/portal/revocation", new { reason = "PatientRequest", note = "asked at the desk" });

        Assert.True(response.IsSuccessStatusCode, $"revocation answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var portal = await provider.GetFromJsonAsync<JsonElement>($"/api/patients/{patientId}/portal");
        Assert.Equal("Access revoked", portal.GetProperty("statusText").GetString());
    }

    [Fact]
    public async Task An_oversized_body_gets_413_problem_details_before_reaching_a_service()
    {
        var practice = Guid.NewGuid();
        var client = platform.Client(practice);
        var patientId = Guid.NewGuid();
        var huge = JsonSerializer.Serialize(new { firstName = new string('a', 100_000), lastName = "X", dateOfBirth = "1980-01-01" });

        var response = await client.PutAsync($"/api/patients/{patientId}", new StringContent(huge, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(413, (await ProblemOf(response)).GetProperty("status").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/patients/{patientId}")).StatusCode);
    }

    [Fact]
    public async Task An_oversized_chunked_body_gets_413_from_the_gateway_listening_on_a_real_port()
    {
        var port = Hosting.Local.Ports.Free();
        await using var gateway = new Testing.ServiceFactory<GatewayService>(platform, GatewayService.Name, new Dictionary<string, string?>
        {
            [$"services:{Routing.ServiceRoutes.Enrollment}:http:0"] = platform.EnrollmentAddress.ToString().TrimEnd('/'),
        });
        gateway.UseKestrel(port);
        gateway.StartServer();
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", platform.TokenFor(Guid.NewGuid(), StaffRoles.Admin));
        var body = new ChunkedJson(JsonSerializer.SerializeToUtf8Bytes(new { firstName = new string('a', 200_000) }));

        var response = await client.PutAsync($"/api/patients/{Guid.NewGuid()}", body);

        Assert.Null(response.RequestMessage?.Content?.Headers.ContentLength);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(413, (await ProblemOf(response)).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task A_malformed_body_gets_400_naming_the_field_and_changes_nothing()
    {
        var practice = Guid.NewGuid();
        var admin = platform.Client(practice);
        var patientId = await RecordPatientAsync(admin);
        var before = await admin.GetFromJsonAsync<JsonElement>($"/api/patients/{patientId}/portal");

        var response = await admin.PostAsJsonAsync($"/api/patients/{patientId}/portal/revocation", new { reason = "BecauseISaidSo" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ProblemOf(response);
        Assert.Contains("reason", problem.ToString(), StringComparison.OrdinalIgnoreCase);
        var after = await admin.GetFromJsonAsync<JsonElement>($"/api/patients/{patientId}/portal");
        Assert.Equal(before.GetProperty("version").ToString(), after.GetProperty("version").ToString());
    }

    [Fact]
    public async Task Patient_endpoints_answer_429_problem_details_once_a_client_exceeds_its_window()
    {
        var client = platform.Client();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < GatewayInFrontOfEnrollment.PatientRequestsPerWindow; i++)
        {
            statuses.Add((await client.PostAsJsonAsync("/portal/api/sign-in", new { username = "someone", password = "wrong" })).StatusCode);
        }

        var refused = await client.PostAsJsonAsync("/portal/api/sign-in", new { username = "someone", password = "wrong" });

        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(429, (await ProblemOf(refused)).GetProperty("status").GetInt32());
        Assert.True(refused.Headers.RetryAfter is not null, "a 429 says when to retry");
    }

    [Fact]
    public async Task Staff_endpoints_are_not_rate_limited_like_patient_endpoints()
    {
        var client = platform.Client(Guid.NewGuid(), StaffRoles.Staff);
        for (var i = 0; i < GatewayInFrontOfEnrollment.PatientRequestsPerWindow * 2; i++)
        {
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await client.GetAsync($"/api/patients/{Guid.NewGuid()}/portal")).StatusCode);
        }
    }

    /// <summary>A body sent without Content-Length (chunked), so only the limit while reading can catch it.</summary>
    private sealed class ChunkedJson : HttpContent
    {
        private readonly byte[] _json;

        public ChunkedJson(byte[] json)
        {
            _json = json;
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            foreach (var chunk in _json.Chunk(8192))
            {
                await stream.WriteAsync(chunk);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
