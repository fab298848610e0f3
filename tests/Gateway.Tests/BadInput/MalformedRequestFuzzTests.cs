using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using PortalPlatform.IdentityVerification.Registrations;
using PortalPlatform.Testing;
using Xunit.Abstractions;

namespace PortalPlatform.Gateway.Tests.BadInput;

/// <summary>
/// Hundreds of malformed requests at every staff and patient endpoint, through the gateway, in Development: each is
/// answered 4xx with a problem detail (naming the field where one is to blame) and nothing is stored or changed.
/// </summary>
public sealed class MalformedRequestFuzzTests(GatewayInFrontOfStaffAndPatientServices platform, ITestOutputHelper output)
    : IClassFixture<GatewayInFrontOfStaffAndPatientServices>
{
    private enum Kind
    {
        Text,
        Date,
        Number,
        Flag,
        Id,
    }

    private sealed record BodyEndpoint(string Name, HttpMethod Method, string Path, JsonObject ValidBody, IReadOnlyDictionary<string, Kind> Fields);

    private sealed record Attempt(string What, HttpRequestMessage Request, string? BlamedField);

    private static readonly Dictionary<Kind, JsonNode?[]> WrongValues = new()
    {
        [Kind.Text] = [1, 1.5, true, new JsonArray(), new JsonObject()],
        [Kind.Date] = ["not-a-date", "1980-13-45", "1980-04-02T25:00:00", 19800402, true, new JsonObject()],
        [Kind.Number] = ["ten", 1.5, 1e300, 2147483648L, -2147483649L, true, new JsonArray()],
        [Kind.Flag] = ["yes", 1, "true", new JsonObject()],
        [Kind.Id] = ["not-a-guid", "123", 42, true, new JsonArray()],
    };

    // Bodies that are not JSON, or not an object, or an object that never ends.
    private static readonly string[] Unreadable =
        ["{\"email\": ", "{", "{\"", "{\"a\":1,", "null", "[]", "[{}]", "\"text\"", "0", "true", "{]", "{'a':1}", "{\"a\":01}", "\u0000", "<xml/>"];

    private static readonly string[] WrongContentTypes =
        ["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/octet-stream"];

    private static readonly string[] OddPatientIds =
        [new('a', 65), "a%20b", "%01", "a%2Fb", "%C3%BC", "a;b", "'--", "a%22b", "%E2%80%AE", "%7B%7D"];

    [Fact]
    public async Task Malformed_requests_at_every_endpoint_get_4xx_problem_details_and_change_nothing()
    {
        var practice = Guid.NewGuid();
        var staff = platform.Client(practice);
        const string patientId = "fuzz-1";
        var given = await GivenAPatientWithAnInvitationAndAProxyAsync(staff, practice, patientId);
        var before = await SettledSnapshotAsync();

        var attempts = Attempts(patientId, given).ToList();
        var answered4xx = 0;
        var failures = new List<string>();
        foreach (var attempt in attempts)
        {
            using var response = await staff.SendAsync(attempt.Request);
            var problem = await ProblemIn(response);
            if ((int)response.StatusCode is >= 400 and < 500)
            {
                answered4xx++;
            }
            else
            {
                failures.Add($"{attempt.What}: {(int)response.StatusCode}");
                continue;
            }

            if (problem is null)
            {
                failures.Add($"{attempt.What}: {(int)response.StatusCode} without a problem detail");
            }
            else if (attempt.BlamedField is { } field && !NamesField(problem.Value, field))
            {
                failures.Add($"{attempt.What}: {(int)response.StatusCode} does not name '{field}': {problem}");
            }
        }

        output.WriteLine($"malformed requests tried: {attempts.Count}; answered 4xx: {answered4xx}");
        Assert.True(attempts.Count >= 200, $"only {attempts.Count} malformed requests");
        Assert.Empty(failures);
        Assert.Empty(Changed(before, await platform.SnapshotAsync()));

        // The snapshot sees a change when one happens: a well-formed wrong code is counted against the registration.
        using var counted = await staff.PostAsJsonAsync("/portal/api/registration/verify",
            new { token = given.Token, dateOfBirth = "1980-04-02", code = "000000" });
        Assert.Equal(HttpStatusCode.BadRequest, counted.StatusCode);
        Assert.NotEmpty(Changed(before, await platform.SnapshotAsync()));
    }

    private sealed record Given(Guid InvitationId, Guid ProxyId, Guid RegistrationId, string Token);

    private async Task<Given> GivenAPatientWithAnInvitationAndAProxyAsync(HttpClient staff, Guid practice, string patientId)
    {
        await Succeeds(staff.PutAsJsonAsync($"/api/patients/{patientId}", Demographics()));
        await Succeeds(staff.PutAsJsonAsync("/api/practice/portal-settings", Settings()));
        var invitation = await Succeeds(staff.PostAsJsonAsync($"/api/patients/{patientId}/portal/invitations", new JsonObject()));
        var proxy = await Succeeds(staff.PostAsJsonAsync($"/api/patients/{patientId}/portal/proxies", Proxy()));
        var invitationId = invitation.GetProperty("invitationId").GetGuid();
        var proxyId = proxy.GetProperty("proxyId").GetGuid();

        var registrations = await Eventually.GetAsync(async () =>
        {
            await using var session = platform.Identity.Services.GetRequiredService<IDocumentStore>().QuerySession();
            var found = await session.Query<Registration>().Where(r => r.PracticeId == practice).ToListAsync();
            return found.Count == 2 ? found : null;
        }, what: "Identity-Verification to open the patient's and the caregiver's registrations");
        var registration = registrations.Single(r => r.InvitationId == invitationId);
        var token = platform.Identity.Services.GetRequiredService<RegistrationSecrets>().TokenFor(registration.Id);
        return new Given(invitationId, proxyId, registration.Id, token);
    }

    /// <summary>The state once every stored event has been relayed (every subscription caught up) and two readings in a row agree.</summary>
    private async Task<IReadOnlyDictionary<string, string>> SettledSnapshotAsync()
    {
        await Eventually.TrueAsync(platform.CaughtUpAsync, what: "every service's subscriptions to catch up with its events");
        IReadOnlyDictionary<string, string> last = await platform.SnapshotAsync();
        return await Eventually.GetAsync(async () =>
        {
            var now = await platform.SnapshotAsync();
            var settled = now.SequenceEqual(last);
            last = now;
            return settled ? now : null;
        }, what: "the set-up to settle");
    }

    private IEnumerable<Attempt> Attempts(string patientId, Given given)
    {
        var portal = $"/api/patients/{patientId}/portal";
        BodyEndpoint[] bodies =
        [
            new("demographics", HttpMethod.Put, $"/api/patients/{patientId}", Demographics(), new Dictionary<string, Kind>
            {
                ["firstName"] = Kind.Text, ["lastName"] = Kind.Text, ["dateOfBirth"] = Kind.Date, ["email"] = Kind.Text, ["phone"] = Kind.Text,
            }),
            new("invitation", HttpMethod.Post, $"{portal}/invitations", new JsonObject { ["email"] = "ada@example.test", ["phone"] = "+12015550100" },
                new Dictionary<string, Kind> { ["email"] = Kind.Text, ["phone"] = Kind.Text }),
            new("revocation", HttpMethod.Post, $"{portal}/revocation", new JsonObject { ["reason"] = "PatientRequest", ["note"] = "asked" },
                new Dictionary<string, Kind> { ["reason"] = Kind.Text, ["note"] = Kind.Text }),
            new("proxy", HttpMethod.Post, $"{portal}/proxies", Proxy(), new Dictionary<string, Kind>
            {
                ["firstName"] = Kind.Text, ["lastName"] = Kind.Text, ["dateOfBirth"] = Kind.Date, ["relationship"] = Kind.Text,
                ["email"] = Kind.Text, ["phone"] = Kind.Text,
            }),
            new("portal settings", HttpMethod.Put, "/api/practice/portal-settings", Settings(), new Dictionary<string, Kind>
            {
                ["autoInvite"] = Kind.Flag, ["whoCanInvite"] = Kind.Text, ["invitationLifetimeDays"] = Kind.Number, ["practiceName"] = Kind.Text,
            }),
            new("verify", HttpMethod.Post, "/portal/api/registration/verify",
                new JsonObject { ["token"] = given.Token, ["dateOfBirth"] = "1980-04-02", ["code"] = "123456" },
                new Dictionary<string, Kind> { ["token"] = Kind.Text, ["dateOfBirth"] = Kind.Text, ["code"] = Kind.Text }),
            new("send code", HttpMethod.Post, "/portal/api/registration/code", new JsonObject { ["token"] = given.Token },
                new Dictionary<string, Kind> { ["token"] = Kind.Text }),
            .. new[] { "complete", "link" }.Select(step => new BodyEndpoint(step, HttpMethod.Post, $"/portal/api/registration/{step}",
                new JsonObject { ["registrationId"] = given.RegistrationId, ["username"] = "ada.lovelace", ["password"] = "correct horse battery", ["token"] = given.Token },
                new Dictionary<string, Kind> { ["registrationId"] = Kind.Id, ["username"] = Kind.Text, ["password"] = Kind.Text, ["token"] = Kind.Text })),
            new("sign-in", HttpMethod.Post, "/portal/api/sign-in", new JsonObject { ["username"] = "ada.lovelace", ["password"] = "correct horse battery" },
                new Dictionary<string, Kind> { ["username"] = Kind.Text, ["password"] = Kind.Text }),
        ];

        foreach (var endpoint in bodies)
        {
            foreach (var text in Unreadable)
            {
                yield return new($"{endpoint.Name} <- {text}", Json(endpoint.Method, endpoint.Path, text), null);
            }

            yield return new($"{endpoint.Name} <- invalid UTF-8", Raw(endpoint.Method, endpoint.Path, [0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D], "application/json"), null);
            yield return new($"{endpoint.Name} <- 200 levels deep", Json(endpoint.Method, endpoint.Path,
                string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + new string('}', 200)), null);
            yield return new($"{endpoint.Name} <- empty body", Raw(endpoint.Method, endpoint.Path, [], "application/json"), null);
            yield return new($"{endpoint.Name} <- no body, no content type", new HttpRequestMessage(endpoint.Method, endpoint.Path), null);
            yield return new($"{endpoint.Name} <- 100 KB", Json(endpoint.Method, endpoint.Path,
                With(endpoint.ValidBody, "note", new string('x', 100 * 1024)).ToJsonString()), null);
            yield return new($"{endpoint.Name} <- an unknown field alone", Json(endpoint.Method, endpoint.Path, "{\"bogus\":1}"), "bogus");
            // The valid body with one extra field: read loosely, it would have been carried out.
            yield return new($"{endpoint.Name} <- valid + unknown field", Json(endpoint.Method, endpoint.Path,
                With(endpoint.ValidBody, "isAdmin", true).ToJsonString()), "isAdmin");
            foreach (var contentType in WrongContentTypes)
            {
                yield return new($"{endpoint.Name} <- valid body as {contentType}",
                    Raw(endpoint.Method, endpoint.Path, Encoding.UTF8.GetBytes(endpoint.ValidBody.ToJsonString()), contentType), null);
            }

            foreach (var (field, kind) in endpoint.Fields)
            {
                foreach (var wrong in WrongValues[kind])
                {
                    var body = With(endpoint.ValidBody, field, wrong?.DeepClone()).ToJsonString();
                    yield return new($"{endpoint.Name} <- {body}", Json(endpoint.Method, endpoint.Path, body), field);
                }
            }
        }

        // Odd ids in routes and queries, on every staff route that takes one.
        foreach (var odd in OddPatientIds)
        {
            foreach (var (method, path) in new[]
                     {
                         (HttpMethod.Get, $"/api/patients/{odd}"), (HttpMethod.Get, $"/api/patients/{odd}/portal"),
                         (HttpMethod.Get, $"/api/patients/{odd}/portal/history"), (HttpMethod.Get, $"/api/patients/{odd}/portal/proxies"),
                         (HttpMethod.Delete, $"/api/patients/{odd}/portal/invitations/{given.InvitationId}"),
                         (HttpMethod.Delete, $"/api/patients/{odd}/portal/proxies/{given.ProxyId}"),
                         (HttpMethod.Get, $"/api/patients/{odd}/portal/invitations/{given.InvitationId}/access-code"),
                     })
            {
                yield return new($"{method} {path}", new HttpRequestMessage(method, path), null);
            }

            yield return new($"dashboard ?status={odd}", new HttpRequestMessage(HttpMethod.Get, $"/api/practice/portal-statuses?status={odd}"), null);
        }

        foreach (var odd in new[] { "not-a-guid", "123", "%01", new string('f', 100), "00000000-0000-0000-0000-00000000000g" })
        {
            yield return new($"cancel invitation {odd}", new HttpRequestMessage(HttpMethod.Delete, $"{portal}/invitations/{odd}"), null);
            yield return new($"withdraw proxy {odd}", new HttpRequestMessage(HttpMethod.Delete, $"{portal}/proxies/{odd}"), null);
            yield return new($"access code {odd}", new HttpRequestMessage(HttpMethod.Get, $"{portal}/invitations/{odd}/access-code"), null);
        }

        foreach (var status in new[] { "9", "-1", "Bogus", "%00" })
        {
            yield return new($"dashboard ?status={status}", new HttpRequestMessage(HttpMethod.Get, $"/api/practice/portal-statuses?status={status}"), "status");
        }

        foreach (var bearer in new[] { "not-a-token", "a.b.c", "" })
        {
            var session = new HttpRequestMessage(HttpMethod.Get, "/portal/api/session");
            session.Headers.TryAddWithoutValidation("Authorization", $"Bearer {bearer}");
            yield return new($"session with bearer '{bearer}'", session, null);
        }
    }

    /// <summary>The tables whose rows differ between two snapshots.</summary>
    private static List<string> Changed(IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after) =>
        [.. before.Keys.Union(after.Keys).Where(table => before.GetValueOrDefault(table) != after.GetValueOrDefault(table)).Order()];

    private static JsonObject Demographics() => new()
    {
        ["firstName"] = "Ada", ["lastName"] = "Lovelace", ["dateOfBirth"] = "1980-04-02", ["email"] = "ada@example.test", ["phone"] = "+12015550100",
    };

    private static JsonObject Proxy() => new()
    {
        ["firstName"] = "Grace", ["lastName"] = "Lovelace", ["dateOfBirth"] = "1955-01-01", ["relationship"] = "Parent",
        ["email"] = "grace@example.test", ["phone"] = "+12015550101",
    };

    private static JsonObject Settings() => new()
    {
        ["autoInvite"] = false, ["whoCanInvite"] = "AllUsers", ["invitationLifetimeDays"] = 14, ["practiceName"] = "Fuzz Family Practice",
    };

    private static JsonObject With(JsonObject valid, string field, JsonNode? value)
    {
        var body = valid.DeepClone().AsObject();
        body[field] = value;
        return body;
    }

    private static HttpRequestMessage Json(HttpMethod method, string path, string body) =>
        new(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    private static HttpRequestMessage Raw(HttpMethod method, string path, byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return new HttpRequestMessage(method, path) { Content = content };
    }

    private static async Task<JsonElement?> ProblemIn(HttpResponseMessage response)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return null;
        }

        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        return problem.TryGetProperty("status", out var status) && status.GetInt32() == (int)response.StatusCode ? problem : null;
    }

    private static bool NamesField(JsonElement problem, string field) =>
        problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _);

    private static async Task<JsonElement> Succeeds(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"set-up answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
