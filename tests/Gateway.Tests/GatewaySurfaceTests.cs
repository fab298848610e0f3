using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PortalPlatform.Gateway.DevTokens;
using PortalPlatform.Gateway.Security;
using PortalPlatform.ServiceDefaults.Security;
using PortalPlatform.Testing;

namespace PortalPlatform.Gateway.Tests;

/// <summary>What the gateway answers by itself: development tokens, headers, the API document, the chart pages, traces.</summary>
public sealed class GatewaySurfaceTests(GatewayInFrontOfEnrollment platform) : IClassFixture<GatewayInFrontOfEnrollment>
{
    private ServiceFactory<GatewayService> GatewayIn(string environment) =>
        // Development: the gateway is the issuer (no Authority). Elsewhere an https identity provider, never asked
        // here because these requests carry no token.
        new(platform, GatewayService.Name, new Dictionary<string, string?> { ["Auth:Authority"] = environment == "Development" ? "" : "https://login.example.test/" })
        {
            EnvironmentName = environment,
        };

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    [InlineData("Testing")]
    public async Task Dev_token_does_not_exist_outside_Development(string environment)
    {
        await using var gateway = GatewayIn(environment);

        var response = await gateway.CreateClient().PostAsJsonAsync(DevTokenEndpoint.Path, new
        {
            practiceId = Guid.NewGuid(), userId = "u", name = "U", role = StaffRoles.Admin,
        });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("accessToken", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dev_token_in_Development_issues_a_token_that_carries_practice_and_role()
    {
        await using var gateway = GatewayIn("Development");
        var client = gateway.CreateClient();
        var practice = Guid.NewGuid();

        var response = await client.PostAsJsonAsync(DevTokenEndpoint.Path, new { practiceId = practice, userId = "nurse-7", name = "Nurse Seven", role = StaffRoles.Provider });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
        var payload = JsonDocument.Parse(Base64Url(token.Split('.')[1])).RootElement;
        Assert.Equal(practice.ToString(), payload.GetProperty(StaffClaimTypes.Practice).GetString());
        Assert.Equal(StaffRoles.Provider, payload.GetProperty(StaffClaimTypes.Role).GetString());
        Assert.Equal("nurse-7", payload.GetProperty(StaffClaimTypes.User).GetString());
    }

    [Fact]
    public async Task Dev_token_with_an_unknown_role_gets_400_naming_the_field()
    {
        await using var gateway = GatewayIn("Development");

        var response = await gateway.CreateClient().PostAsJsonAsync(DevTokenEndpoint.Path, new { practiceId = Guid.NewGuid(), userId = "u", name = "U", role = "superuser" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("role", out _));
    }

    [Fact]
    public async Task Dev_token_with_unreadable_json_gets_400_problem_details()
    {
        await using var gateway = GatewayIn("Development");

        var response = await gateway.CreateClient().PostAsync(DevTokenEndpoint.Path, new StringContent("{\"practiceId\": ", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/chart/some-patient")]
    [InlineData("/dashboard")]
    [InlineData("/api/practice/portal-settings")]
    public async Task Every_response_carries_the_security_headers(string path)
    {
        var response = await platform.Client().GetAsync(path);

        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self';", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    [Fact]
    public async Task The_chart_page_is_served_for_any_patient_and_loads_no_inline_script()
    {
        var response = await platform.Client().GetAsync($"/chart/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Patient portal status", html, StringComparison.Ordinal);
        Assert.DoesNotMatch("<script(?![^>]*\\bsrc=)[^>]*>", html);
    }

    [Fact]
    public async Task One_OpenAPI_document_describes_the_public_api_and_the_reference_page_renders_it()
    {
        var client = platform.Client();

        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var reference = await client.GetAsync(SecurityHeaders.ReferencePath);

        var paths = document.GetProperty("paths");
        foreach (var path in new[]
                 {
                     "/api/patients/{patientId}/portal", "/api/patients/{patientId}/portal/invitations", "/api/patients/{patientId}/portal/revocation",
                     "/api/patients/{patientId}/portal/deliveries", "/api/practice/portal-settings", "/portal/api/sign-in",
                 })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"the document describes {path}");
        }

        Assert.True(document.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("Bearer", out _));
        Assert.Equal(HttpStatusCode.OK, reference.StatusCode);
        Assert.Contains("openapi/v1.json", await reference.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_that_is_not_reachable_answers_with_problem_details()
    {
        // The fixture configures no Notification service: the delivery log route has no destination.
        var response = await platform.Client(Guid.NewGuid(), StaffRoles.Staff).GetAsync($"/api/patients/{Guid.NewGuid()}/portal/deliveries");

        Assert.True((int)response.StatusCode >= 500, $"answered {(int)response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task One_trace_spans_the_gateway_and_the_service_behind_it()
    {
        var practice = Guid.NewGuid();
        var patientId = Guid.NewGuid();

        var response = await platform.Client(practice, StaffRoles.Staff).GetAsync($"/api/patients/{patientId}/portal");

        Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        var gatewaySpan = await Eventually.GetAsync(() => Task.FromResult(platform.Gateway.Spans.FirstOrDefault(s =>
            s.Kind == System.Diagnostics.ActivityKind.Server && s.DisplayName.Contains("api", StringComparison.OrdinalIgnoreCase) &&
            s.GetTagItem("url.path") as string == $"/api/patients/{patientId}/portal")), what: "the gateway's server span");
        var serviceSpan = await Eventually.GetAsync(() => Task.FromResult(platform.Enrollment.Spans.FirstOrDefault(s =>
            s.Kind == System.Diagnostics.ActivityKind.Server && s.GetTagItem("url.path") as string == $"/api/patients/{patientId}/portal")),
            what: "Enrollment's server span");
        Assert.Equal(gatewaySpan.TraceId, serviceSpan.TraceId);
    }

    private static byte[] Base64Url(string segment)
    {
        var base64 = segment.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '='));
    }
}
