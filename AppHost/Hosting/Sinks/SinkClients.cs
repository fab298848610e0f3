using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PortalPlatform.Hosting.Sinks;

/// <summary>
/// One email as smtp4dev lists it, with its plain-text body and its <c>Message-ID</c> header (the sender's id of the
/// message: a resent copy carries the same one, and mail clients show copies with one id as one message).
/// </summary>
public sealed record SinkMail(string Id, DateTimeOffset ReceivedAt, string From, IReadOnlyList<string> To, string Subject, string Text, string? MessageId = null);

/// <summary>One text message as the SMS sink lists it.</summary>
public sealed record SinkSms(string Id, DateTimeOffset ReceivedAt, string To, string From, string Body, string? Reference);

/// <summary>Reads what smtp4dev captured, through its REST API (<c>/api/messages</c>).</summary>
public sealed class MailSinkClient(HttpClient http)
{
    /// <summary>The newest <paramref name="count"/> emails, newest first (bodies and headers fetched for those that match).</summary>
    public async Task<IReadOnlyList<SinkMail>> ReadAsync(Func<SinkMail, bool>? match = null, int count = 200, CancellationToken ct = default)
    {
        var page = await http.GetFromJsonAsync<MessagePage>($"/api/messages?page=1&pageSize={count}", Json, ct)
            ?? throw new InvalidOperationException("smtp4dev answered no message list");
        var mails = new List<SinkMail>();
        foreach (var summary in page.Results)
        {
            var mail = new SinkMail(summary.Id, summary.ReceivedDate, summary.From ?? "", summary.To ?? [], summary.Subject ?? "", "");
            if (match is null || match(mail))
            {
                var message = await http.GetFromJsonAsync<MessageDetail>($"/api/messages/{summary.Id}", Json, ct);
                var messageId = message?.Headers?.FirstOrDefault(h => string.Equals(h.Name, "Message-ID", StringComparison.OrdinalIgnoreCase))?.Value?.Trim();
                mails.Add(mail with { Text = await http.GetStringAsync($"/api/messages/{summary.Id}/plaintext", ct), MessageId = messageId });
            }
        }

        return mails;
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record MessagePage([property: JsonPropertyName("results")] IReadOnlyList<MessageSummary> Results);

    private sealed record MessageSummary(string Id, DateTimeOffset ReceivedDate, string? From, IReadOnlyList<string>? To, string? Subject);

    private sealed record MessageDetail(IReadOnlyList<MessageHeader>? Headers);

    private sealed record MessageHeader(string? Name, string? Value);
}

/// <summary>Reads what the SMS sink captured (<c>GET /v1/messages</c>, oldest first) and makes it report statuses.</summary>
public sealed class SmsSinkClient(HttpClient http)
{
    public async Task<IReadOnlyList<SinkSms>> ReadAsync(CancellationToken ct = default) =>
        await http.GetFromJsonAsync<List<SinkSms>>("/v1/messages", new JsonSerializerOptions(JsonSerializerDefaults.Web), ct) ?? [];

    /// <summary>
    /// Has the sink report <paramref name="status"/> for a text through its signed status callback
    /// (<c>POST /v1/messages/{id}/status</c>); returns the HTTP status the callback got.
    /// </summary>
    public async Task<int> ReportStatusAsync(string messageId, string status, string? error = null, CancellationToken ct = default)
    {
        using var response = await http.PostAsJsonAsync($"/v1/messages/{Uri.EscapeDataString(messageId)}/status", new { status, error }, ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("callbackStatus").GetInt32();
    }
}
