using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using PortalPlatform.Hosting.Sinks;

namespace PortalPlatform.AppHost;

/// <summary>
/// A demo practice for newcomers, loaded through the gateway's HTTP API once everything is healthy: staff of each
/// role and patients in each portal status the API can reach at once (Invitation expired needs the practice's
/// lifetime, at least one day, to pass). Idempotent: a patient already on file is left alone.
/// </summary>
public static partial class DemoSeed
{
    public static readonly Guid PracticeId = Guid.Parse("0d3e5c1a-7b1f-4c59-9a8e-2f6d4b1c0001");

    public static readonly (string UserId, string Name, string Role)[] Staff =
    [
        ("alex.admin", "Alex Admin", "admin"),
        ("pat.provider", "Dr Pat Provider", "provider"),
        ("sam.staff", "Sam Front Desk", "staff"),
    ];

    private sealed record DemoPatient(string Id, string FirstName, string LastName, string DateOfBirth, string Email, string Phone, string Becomes);

    // Each patient ends in the status named by Becomes (DESIGN.md's table); Rita is the story's revoked patient.
    private static readonly DemoPatient[] Patients =
    [
        new("demo-nora", "Nora", "Newcomer", "1990-03-14", "nora.newcomer@example.test", "+12025550101", "NotInvited"),
        new("demo-ivan", "Ivan", "Invited", "1978-11-02", "ivan.invited@example.test", "+12025550102", "Invited"),
        new("demo-lena", "Lena", "Locked", "1985-06-21", "lena.locked@example.test", "+12025550103", "VerificationLocked"),
        new("demo-emma", "Emma", "Enrolled", "1969-09-30", "emma.enrolled@example.test", "+12025550104", "Enrolled"),
        new("demo-rita", "Rita", "Revoked", "1982-01-17", "rita.revoked@example.test", "+12025550105", "AccessRevoked"),
    ];

    public static async Task RunAsync(Uri gateway, MailSinkClient mail, SmsSinkClient sms, Action<string> log, CancellationToken cancellationToken)
    {
        try
        {
            using var http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(30) };
            var admin = await TokenAsync(http, Staff[0], cancellationToken);
            await SendAsync(http, HttpMethod.Put, "/api/practice/portal-settings", admin,
                new { autoInvite = false, whoCanInvite = "AllUsers", invitationLifetimeDays = 14, practiceName = "Riverside Family Practice" }, cancellationToken);
            var created = 0;
            foreach (var patient in Patients)
            {
                using var existing = await SendAsync(http, HttpMethod.Get, $"/api/patients/{patient.Id}", admin, null, cancellationToken, allowNotFound: true);
                if (existing.StatusCode == HttpStatusCode.OK)
                {
                    continue;
                }

                await BringToStatusAsync(http, admin, patient, mail, sms, cancellationToken);
                created++;
            }

            log($"demo seed: practice {PracticeId} (Riverside Family Practice); {(created == 0 ? "already loaded" : $"{created} patients added")}");
            log($"demo staff (sign in on the chart's start page): {string.Join(", ", Staff.Select(s => $"{s.UserId} ({s.Role})"))}");
            log($"demo patients: {string.Join(", ", Patients.Select(p => $"{p.Id} {p.Becomes}"))}; enrolled patients sign in as their first name, password 'demo-Passw0rd!'");
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutException or InvalidOperationException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            log($"demo seed failed: {e.Message} (the platform runs; start with --no-seed to skip it)");
        }
    }

    private static async Task BringToStatusAsync(HttpClient http, string admin, DemoPatient patient, MailSinkClient mail, SmsSinkClient sms, CancellationToken cancellationToken)
    {
        await SendAsync(http, HttpMethod.Put, $"/api/patients/{patient.Id}", admin,
            new { firstName = patient.FirstName, lastName = patient.LastName, dateOfBirth = patient.DateOfBirth, email = patient.Email, phone = patient.Phone }, cancellationToken);
        if (patient.Becomes == "NotInvited")
        {
            return;
        }

        await SendAsync(http, HttpMethod.Post, $"/api/patients/{patient.Id}/portal/invitations", admin, new { }, cancellationToken);
        if (patient.Becomes == "Invited")
        {
            return;
        }

        var token = await InvitationTokenAsync(mail, patient.Email, cancellationToken);
        if (patient.Becomes == "VerificationLocked")
        {
            // Five wrong answers lock verification (DESIGN.md: at most 5 failed checks).
            for (var attempt = 0; attempt < 5; attempt++)
            {
                using var _ = await SendAsync(http, HttpMethod.Post, "/portal/api/registration/verify", null,
                    new { token, dateOfBirth = "1900-01-01", code = "000000" }, cancellationToken, allowFailure: true);
            }

            return;
        }

        var code = await OneTimeCodeAsync(http, sms, token, patient.Phone, cancellationToken);
        using var verified = await SendAsync(http, HttpMethod.Post, "/portal/api/registration/verify", null, new { token, dateOfBirth = patient.DateOfBirth, code }, cancellationToken);
        var registrationId = (await verified.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("registrationId").GetString();
        using var _2 = await SendAsync(http, HttpMethod.Post, "/portal/api/registration/complete", null,
            new { registrationId, username = patient.FirstName.ToLowerInvariant(), password = "demo-Passw0rd!" }, cancellationToken);
        if (patient.Becomes == "AccessRevoked")
        {
            await WaitForStatusAsync(http, admin, patient.Id, "Enrolled", cancellationToken);
            var provider = await TokenAsync(http, Staff[1], cancellationToken);
            using var _3 = await SendAsync(http, HttpMethod.Post, $"/api/patients/{patient.Id}/portal/revocation", provider,
                new { reason = "PatientRequest", note = "Demo: the patient asked to close the account." }, cancellationToken);
        }
    }

    private static async Task<string> TokenAsync(HttpClient http, (string UserId, string Name, string Role) user, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(http, HttpMethod.Post, "/dev/token", null,
            new { practiceId = PracticeId, userId = user.UserId, name = user.Name, role = user.Role }, cancellationToken);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("accessToken").GetString()!;
    }

    private static async Task<string> InvitationTokenAsync(MailSinkClient mail, string email, CancellationToken cancellationToken)
    {
        var found = await PollAsync(async () => (await mail.ReadAsync(m => m.To.Any(to => to.Contains(email, StringComparison.OrdinalIgnoreCase)), ct: cancellationToken)).FirstOrDefault(),
            "the invitation email to " + email, cancellationToken);
        var match = TokenInLink().Match(found.Text);
        return match.Success ? WebUtility.UrlDecode(match.Groups[1].Value) : throw new InvalidOperationException($"no registration link in the email to {email}");
    }

    private static async Task<string> OneTimeCodeAsync(HttpClient http, SmsSinkClient sms, string token, string phone, CancellationToken cancellationToken)
    {
        var before = (await sms.ReadAsync(cancellationToken)).Select(m => m.Id).ToHashSet();
        using var _ = await SendAsync(http, HttpMethod.Post, "/portal/api/registration/code", null, new { token }, cancellationToken);
        var text = await PollAsync(async () => (await sms.ReadAsync(cancellationToken)).FirstOrDefault(m =>
            !before.Contains(m.Id) && m.To == phone && !m.Body.Contains("token=", StringComparison.Ordinal) && SixDigits().IsMatch(m.Body)),
            "the one-time code text to " + phone, cancellationToken);
        return SixDigits().Match(text.Body).Value;
    }

    private static async Task WaitForStatusAsync(HttpClient http, string token, string patientId, string status, CancellationToken cancellationToken)
    {
        await PollAsync(async () =>
        {
            using var response = await SendAsync(http, HttpMethod.Get, $"/api/patients/{patientId}/portal", token, null, cancellationToken);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            return body.GetProperty("status").GetString() == status ? (object)body : null;
        }, $"{patientId} to be {status}", cancellationToken);
    }

    // Mail and texts arrive through the broker and a delivery queue: look again until they are there.
    private static async Task<T> PollAsync<T>(Func<Task<T?>> probe, string what, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            await Task.Delay(250, cancellationToken);
        }

        throw new TimeoutException($"gave up waiting for {what}");
    }

    private static async Task<HttpResponseMessage> SendAsync(
        HttpClient http, HttpMethod method, string path, string? token, object? body, CancellationToken cancellationToken,
        bool allowNotFound = false, bool allowFailure = false)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode && !allowFailure && !(allowNotFound && response.StatusCode == HttpStatusCode.NotFound))
        {
            var detail = await response.Content.ReadAsStringAsync(cancellationToken);
            response.Dispose();
            throw new InvalidOperationException($"{method} {path} answered {(int)response.StatusCode}: {detail}");
        }

        return response;
    }

    [GeneratedRegex(@"[?&#]token=([A-Za-z0-9_\-.~%]+)")]
    private static partial Regex TokenInLink();

    [GeneratedRegex(@"\b\d{6}\b")]
    private static partial Regex SixDigits();
}
