using System.Net.Http.Json;
using System.Text.Json;

namespace PortalPlatform.Enrollment.Tests.Infrastructure;

/// <summary>What the chart does over HTTP for one patient, as one staff member.</summary>
public sealed class StaffApi(HttpClient http, string patientId)
{
    public HttpClient Http => http;
    public string PatientId => patientId;
    private string Portal => $"/api/patients/{patientId}/portal";

    public Task<HttpResponseMessage> RecordDemographicsAsync(
        string email = "ada@example.org", string phone = "+12015550100", string dateOfBirth = "1980-12-10", string firstName = "Ada") =>
        http.PutAsJsonAsync($"/api/patients/{patientId}", new { firstName, lastName = "Lovelace", dateOfBirth, email, phone });

    public async Task<PortalSnapshot> GetPortalAsync()
    {
        var response = await http.GetAsync(Portal);
        response.EnsureSuccessStatusCode();
        return new PortalSnapshot(await response.Content.ReadFromJsonAsync<JsonElement>(), response.Headers.ETag?.Tag ?? "");
    }

    public Task<HttpResponseMessage> InviteAsync(object? body = null, string? ifMatch = null) =>
        SendAsync(HttpMethod.Post, $"{Portal}/invitations", body ?? new { }, ifMatch);

    /// <param name="harm">For PreventingHarm: <c>{decidingClinicianId, decidingClinicianName, basis, scope}</c>.</param>
    public Task<HttpResponseMessage> RevokeAsync(string reason, string? note = null, string? ifMatch = null, object? harm = null)
    {
        var body = System.Text.Json.JsonSerializer.SerializeToNode(harm ?? new { })!.AsObject();
        body["reason"] = reason;
        body["note"] = note;
        return SendAsync(HttpMethod.Post, $"{Portal}/revocation", body, ifMatch);
    }

    public Task<HttpResponseMessage> DeclineAsync(Guid requestId, string? reason) =>
        http.PostAsJsonAsync($"/api/practice/access-requests/{requestId}/decline", new { reason });

    public async Task<JsonElement> OpenRequestsAsync() => await http.GetFromJsonAsync<JsonElement>("/api/practice/access-requests?state=Open");

    public Task<HttpResponseMessage> CancelInvitationAsync(Guid invitationId, string? ifMatch = null) =>
        SendAsync(HttpMethod.Delete, $"{Portal}/invitations/{invitationId}", null, ifMatch);

    public async Task<JsonElement> GetHistoryAsync() => await http.GetFromJsonAsync<JsonElement>($"{Portal}/history");

    public Task<HttpResponseMessage> InviteProxyAsync(object body) => http.PostAsJsonAsync($"{Portal}/proxies", body);

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, string? ifMatch)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return http.SendAsync(request);
    }
}

public sealed record PortalSnapshot(JsonElement Body, string ETag)
{
    public string Status => Body.GetProperty("status").GetString()!;
    public string StatusText => Body.GetProperty("statusText").GetString()!;
    public long Version => Body.GetProperty("version").GetInt64();
    public JsonElement Invitation => Body.GetProperty("invitation");
    public Guid InvitationId => Invitation.GetProperty("invitationId").GetGuid();
}

public static class ResponseAssertions
{
    public static async Task<JsonElement> ExpectAsync(this Task<HttpResponseMessage> call, int status)
    {
        var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>An RFC 9457 problem document with this status (and, for 400, naming the field).</summary>
    public static async Task<JsonElement> ExpectProblemAsync(this Task<HttpResponseMessage> call, int status, string? field = null)
    {
        var response = await call;
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        if (field is not null)
        {
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"the problem should name '{field}': {problem}");
        }

        return problem;
    }
}
