using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using PortalPlatform.Hosting.Sinks;
using PortalPlatform.Testing;
using PortalPlatform.Testing.Platform;

namespace PortalPlatform.AppHost.Tests;

/// <summary>
/// Talks to the running platform the way people do: staff through the gateway's HTTP API (DESIGN.md), the
/// patient through the registration endpoints, and the sinks through their own APIs (smtp4dev, the SMS sink).
/// </summary>
public sealed partial class PortalClient(AspirePlatform platform) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };

    public Guid PracticeId { get; } = Guid.NewGuid();
    public HttpClient Http => _http;

    public async Task<string> StaffTokenAsync(string role = "admin")
    {
        var response = await _http.PostAsJsonAsync(new Uri(platform.GatewayAddress, "/dev/token"), new { practiceId = PracticeId, userId = $"{role}-1", name = $"Test {role}", role });
        await EnsureAsync(response, "POST /dev/token");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, object? body = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(platform.GatewayAddress, path));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await _http.SendAsync(request);
    }

    public async Task<JsonElement> SendOkAsync(HttpMethod method, string path, string? token, object? body = null)
    {
        using var response = await SendAsync(method, path, token, body);
        await EnsureAsync(response, $"{method} {path}");
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Records demographics for a new patient and returns its id.</summary>
    public async Task<Guid> AddPatientAsync(string token, string email, string phone, string dateOfBirth = "1980-04-12")
    {
        var patientId = Guid.NewGuid();
        await SendOkAsync(HttpMethod.Put, $"/api/patients/{patientId}", token, new { firstName = "Robin", lastName = "Example", dateOfBirth, email, phone });
        return patientId;
    }

    /// <summary>The newest invitation email to <paramref name="email"/> after <paramref name="seen"/> earlier ones; returns its token.</summary>
    public async Task<string> InvitationTokenAsync(string email, int seen = 0)
    {
        // smtp4dev lists the newest first.
        var mail = await Eventually.GetAsync(async () =>
        {
            var mine = await platform.Mail.ReadAsync(m => m.To.Any(to => to.Contains(email, StringComparison.OrdinalIgnoreCase)));
            return mine.Count > seen ? mine[0] : null;
        }, TimeSpan.FromSeconds(90), $"invitation email number {seen + 1} to {email} in the mail sink");
        var body = mail.Text;
        var match = TokenInLink().Match(body);
        Assert.True(match.Success, $"no registration link with a token in the email: {body}");
        return WebUtility.UrlDecode(match.Groups[1].Value);
    }

    /// <summary>Asks for the one-time code and reads it from the SMS sink.</summary>
    public async Task<string> OneTimeCodeAsync(string token, string phone)
    {
        var before = (await SmsToAsync(phone)).Select(m => m.Id).ToHashSet();
        await SendOkAsync(HttpMethod.Post, "/portal/api/registration/code", null, new { token });
        // The invitation itself also texts the phone (with the link); the code is the new text without a link.
        var sms = await Eventually.GetAsync(async () => (await SmsToAsync(phone)).FirstOrDefault(m =>
                !before.Contains(m.Id) && !m.Body.Contains("token=", StringComparison.Ordinal) && SixDigits().IsMatch(m.Body)),
            TimeSpan.FromSeconds(90), $"a one-time code text to {phone}");
        return SixDigits().Match(sms.Body).Value;
    }

    /// <summary>Verifies identity and sets up the account from an invitation token.</summary>
    public async Task RegisterAsync(string token, string phone, string dateOfBirth, string username, string password)
    {
        var code = await OneTimeCodeAsync(token, phone);
        var verified = await SendOkAsync(HttpMethod.Post, "/portal/api/registration/verify", null, new { token, dateOfBirth, code });
        var registrationId = verified.GetProperty("registrationId").GetString();
        await SendOkAsync(HttpMethod.Post, "/portal/api/registration/complete", null, new { registrationId, username, password });
    }

    public Task<HttpResponseMessage> SignInAsync(string username, string password) =>
        SendAsync(HttpMethod.Post, "/portal/api/sign-in", null, new { username, password });

    /// <summary>
    /// Like <see cref="Eventually"/> but once a second: the gateway allows 30 anonymous patient requests a minute
    /// per address, so a patient endpoint must not be polled faster.
    /// </summary>
    public static async Task PatientlyAsync(Func<Task<bool>> probe, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await probe())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"gave up waiting for {what}");
            }

            await Task.Delay(1000);
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<List<SinkSms>> SmsToAsync(string phone) =>
        [.. (await platform.Sms.ReadAsync()).Where(m => Digits(m.To) == Digits(phone))];

    private static string Digits(string phone) => new([.. phone.Where(char.IsDigit)]);

    private static async Task EnsureAsync(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            Assert.Fail($"{what} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    [GeneratedRegex(@"[?&#]token=([A-Za-z0-9_\-.~%]+)")]
    private static partial Regex TokenInLink();

    [GeneratedRegex(@"\b\d{6}\b")]
    private static partial Regex SixDigits();
}
