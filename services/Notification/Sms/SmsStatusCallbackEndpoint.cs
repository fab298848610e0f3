using System.Text.Json;
using Marten;
using JasperFx.Events;
using Microsoft.Extensions.Options;
using PortalPlatform.Contracts;
using PortalPlatform.Notification.Deliveries;

namespace PortalPlatform.Notification.Sms;

/// <summary>The provider's later word on a text it accepted: <c>{reference, status, error?}</c>; other fields are ignored.</summary>
public sealed record SmsStatusCallback(string? Reference, string? Status, string? Error);

/// <summary>
/// <c>POST /callbacks/sms/status</c>, public through the gateway and anonymous, but only a callback signed with
/// <c>Sms:StatusCallbackSecret</c> (<see cref="SmsCallbackSignature"/>) within <c>Sms:StatusCallbackTolerance</c> is
/// read; anything else is a 401 problem and changes nothing. The body is read raw (the signature covers its bytes, and
/// a provider's extra fields must not be refused). "undelivered" or "failed" for a sent text marks the delivery
/// Bounced once (and Enrollment hears InviteDeliveryFailed), however many copies of the callback arrive at once.
/// </summary>
public static class SmsStatusCallbackEndpoint
{
    public const string Path = "/callbacks/sms/status";

    // A status callback is a few hundred bytes; the gateway caps bodies too.
    private const int MaxBodyBytes = 16 * 1024;
    private const int ConcurrencyAttempts = 10;
    private static readonly string[] Undeliverable = ["undelivered", "failed"];
    private static readonly string[] Known = ["queued", "sent", "delivered", "undelivered", "failed"];
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapSmsStatusCallback(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, ReceiveAsync).AllowAnonymous().WithSummary("The SMS provider's signed delivery-status callback");
        return app;
    }

    private static async Task<IResult> ReceiveAsync(
        HttpContext http, IDocumentStore store, IOptions<SmsOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (string.IsNullOrEmpty(settings.StatusCallbackSecret))
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "SMS status callbacks are not configured");
        }

        if (await ReadBodyAsync(http.Request, cancellationToken) is not { } body)
        {
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: $"A status callback is at most {MaxBodyBytes} bytes");
        }

        if (SmsCallbackSignature.Refusal(settings.StatusCallbackSecret, http.Request.Headers, body, clock.GetUtcNow(), settings.StatusCallbackTolerance) is { } refusal)
        {
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "The callback is not signed by the SMS provider", detail: refusal);
        }

        SmsStatusCallback? callback;
        try
        {
            callback = JsonSerializer.Deserialize<SmsStatusCallback>(body, Json);
        }
        catch (JsonException)
        {
            callback = null;
        }

        if (callback is null)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["must be a JSON object {reference, status, error?}"] });
        }

        if (!Guid.TryParseExact(callback.Reference, "N", out var deliveryId))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["reference"] = ["must be the reference sent with the message"] });
        }

        if (callback.Status is null || !Known.Contains(callback.Status))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["status"] = [$"must be one of {string.Join(", ", Known)}"] });
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ApplyAsync(store, deliveryId, callback, clock, cancellationToken);
            }
            catch (Exception ex) when (IsConcurrencyConflict(ex) && attempt < ConcurrencyAttempts)
            {
                // Another callback (or the dispatcher) wrote to this delivery first: decide again on what it wrote.
            }
        }
    }

    private static async Task<IResult> ApplyAsync(
        IDocumentStore store, Guid deliveryId, SmsStatusCallback callback, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        var stream = await session.Events.FetchForWriting<Delivery>(deliveryId, cancellationToken);
        if (stream.Aggregate is not { Channel: DeliveryChannel.Sms } delivery)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No text message has this reference");
        }

        if (Undeliverable.Contains(callback.Status) && delivery.State == DeliveryState.Sent)
        {
            var error = callback.Error?.Trim();
            var reason = $"SMS provider reported {callback.Status}" + (string.IsNullOrEmpty(error) ? "" : $": {error[..Math.Min(200, error.Length)]}");
            stream.AppendOne(new DeliveryBounced(delivery.Target, reason, clock.GetUtcNow()));
            await session.SaveChangesAsync(cancellationToken);
        }

        return Results.NoContent();
    }

    /// <summary>The raw body, or null when it is longer than <see cref="MaxBodyBytes"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static bool IsConcurrencyConflict(Exception ex) =>
        ex is JasperFx.ConcurrencyException or EventStreamUnexpectedMaxEventIdException
        || ex.InnerException is { } inner && IsConcurrencyConflict(inner);
}
