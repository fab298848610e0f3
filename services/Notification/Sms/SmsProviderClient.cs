using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using PortalPlatform.Notification.Deliveries;
using PortalPlatform.ServiceDefaults.Contact;

namespace PortalPlatform.Notification.Sms;

/// <summary>
/// The HTTP SMS provider: <c>POST {BaseUrl}/v1/messages</c>, <c>Authorization: Bearer {ApiKey}</c>,
/// <c>Idempotency-Key: {delivery id}</c>, JSON <c>{to, from, body, reference}</c> -> 201 <c>{id, status}</c>
/// (200 for a reference it already accepted). 4xx is permanent (except 408 and 429), 5xx and timeouts are transient.
/// The number must pass the platform's phone rule (<see cref="PhoneRule"/>), the same one staff input passed.
/// Its HttpClient has no automatic retries: a retry is a stored attempt, sent with the same reference.
/// </summary>
public sealed class SmsProviderClient(HttpClient http, IOptions<SmsOptions> options, ILogger<SmsProviderClient> logger)
{
    public async Task<SendOutcome> SendAsync(Guid deliveryId, OutboundMessage outbound, CancellationToken cancellationToken)
    {
        if (PhoneRule.ToE164(outbound.To) is not { } to)
        {
            return SendOutcome.PermanentFailure("not a valid phone number");
        }

        var settings = options.Value;
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/messages")
        {
            Content = JsonContent.Create(new SendRequest(to, settings.From, outbound.Text, deliveryId.ToString("N"))),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.ApiKey);
        request.Headers.Add("Idempotency-Key", deliveryId.ToString("N"));

        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                var accepted = await response.Content.ReadFromJsonAsync<SendResponse>(cancellationToken);
                return SendOutcome.Success(accepted?.Id ?? $"sms-{deliveryId:N}");
            }

            var reason = $"SMS provider {(int)response.StatusCode} {response.ReasonPhrase}";
            return (int)response.StatusCode is >= 400 and < 500 and not (int)HttpStatusCode.RequestTimeout and not (int)HttpStatusCode.TooManyRequests
                ? SendOutcome.PermanentFailure(reason)
                : SendOutcome.TransientFailure(reason);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            logger.LogWarning("SMS attempt for delivery {DeliveryId} failed: {Error}", deliveryId, ex.GetType().Name);
            return SendOutcome.TransientFailure($"SMS provider unreachable or not answering: {ex.GetType().Name}");
        }
    }

    private sealed record SendRequest(
        [property: JsonPropertyName("to")] string To,
        [property: JsonPropertyName("from")] string From,
        [property: JsonPropertyName("body")] string Body,
        [property: JsonPropertyName("reference")] string Reference);

    private sealed record SendResponse(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("status")] string? Status);
}
