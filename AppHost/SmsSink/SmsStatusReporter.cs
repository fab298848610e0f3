using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using StandardWebhooks;

namespace PortalPlatform.Hosting.Local;

/// <summary>
/// The provider's delivery-status callback, as a real provider sends it: <c>POST {callbackUrl}</c> with JSON
/// <c>{reference, status, error, messageId, to}</c>, signed the Standard Webhooks way with the per-deployment
/// <paramref name="secret"/> (<c>whsec_...</c>) that the Notification service checks (docs/notification.md).
/// </summary>
public sealed class SmsStatusReporter(Uri callbackUrl, string secret) : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public Uri CallbackUrl => callbackUrl;

    /// <summary>Reports <paramref name="status"/> for <paramref name="message"/>; returns what the callback answered.</summary>
    public async Task<HttpStatusCode> ReportAsync(CapturedSms message, string status, string? error, CancellationToken ct = default)
    {
        var body = JsonSerializer.Serialize(new { reference = message.Reference, status, error, messageId = message.Id, to = message.To }, Json);
        var id = $"msg_{Guid.NewGuid():N}";
        var timestamp = DateTimeOffset.UtcNow;
        using var request = new HttpRequestMessage(HttpMethod.Post, callbackUrl) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", new StandardWebhook(secret).Sign(id, timestamp, body));
        using var response = await _http.SendAsync(request, ct);
        return response.StatusCode;
    }

    public void Dispose() => _http.Dispose();
}
