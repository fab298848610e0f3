using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Options;
using PortalPlatform.Webhooks.Catalogue;
using PortalPlatform.Webhooks.Inbound;
using PortalPlatform.Webhooks.Security;
using StandardWebhooks;

namespace PortalPlatform.Webhooks.Deliveries;

/// <summary>
/// Posts one signed CloudEvent. Its own HttpClient: no retry handler (retries are stored attempts), no service
/// discovery (a subscriber's host name must never resolve to an internal service), no redirects, no proxy, and
/// every connection checked by <see cref="TargetPolicy"/>.
/// </summary>
public sealed class WebhookSender : IDisposable
{
    public const int ExcerptLength = 200;
    private readonly HttpClient _http;
    private readonly TimeProvider _clock;

    public WebhookSender(TargetPolicy policy, IOptions<WebhookOptions> options, TimeProvider clock)
    {
        _clock = clock;
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = policy.ConnectAsync,
            ConnectTimeout = options.Value.Timeout,
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        {
            Timeout = options.Value.Timeout,
        };
    }

    /// <summary>Standard Webhooks signature header: one <c>v1,...</c> per secret, space-separated.</summary>
    public static string Sign(string webhookId, DateTimeOffset timestamp, string body, IEnumerable<string> secrets) =>
        string.Join(' ', secrets.Select(secret => new StandardWebhook(secret).Sign(webhookId, timestamp, body)));

    public async Task<AttemptResult> SendAsync(string url, ReceivedEvent received, IReadOnlyList<string> secrets, CancellationToken cancellationToken)
    {
        var webhookId = received.Id.ToString();
        var timestamp = _clock.GetUtcNow();
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(received.Body, Encoding.UTF8, CloudEventMapper.ContentType),
        };
        request.Headers.Add("webhook-id", webhookId);
        request.Headers.Add("webhook-timestamp", timestamp.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", Sign(webhookId, timestamp, received.Body, secrets));

        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var excerpt = await ExcerptOfAsync(response, cancellationToken);
            return new AttemptResult((int)response.StatusCode, Stopwatch.GetElapsedTime(started), null, excerpt);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new AttemptResult(null, Stopwatch.GetElapsedTime(started), $"no answer within {_http.Timeout.TotalSeconds:0.#} s", null);
        }
        catch (HttpRequestException ex)
        {
            return new AttemptResult(null, Stopwatch.GetElapsedTime(started), $"unreachable: {ex.Message}", null);
        }
    }

    private static async Task<string?> ExcerptOfAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[ExcerptLength * 4];
        var read = await body.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        if (read == 0)
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(buffer, 0, read);
        return text.Length > ExcerptLength ? text[..ExcerptLength] : text;
    }

    public void Dispose() => _http.Dispose();
}
