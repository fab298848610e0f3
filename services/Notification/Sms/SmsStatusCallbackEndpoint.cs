using System.Security.Cryptography;
using System.Text;
using Marten;
using Microsoft.Extensions.Options;
using PortalPlatform.Contracts;
using PortalPlatform.Notification.Deliveries;

namespace PortalPlatform.Notification.Sms;

/// <summary>The provider's later word on a text it accepted: <c>{reference, status, error?}</c>.</summary>
public sealed record SmsStatusCallback(string? Reference, string? Status, string? Error);

/// <summary>
/// <c>POST /api/sms/status</c>, called by the SMS provider with <c>Authorization: Bearer {Sms:WebhookKey}</c>.
/// "undelivered" or "failed" for a sent text marks the delivery Bounced (and Enrollment hears InviteDeliveryFailed).
/// </summary>
public static class SmsStatusCallbackEndpoint
{
    private static readonly string[] Undeliverable = ["undelivered", "failed"];
    private static readonly string[] Known = ["queued", "sent", "delivered", "undelivered", "failed"];

    public static IEndpointRouteBuilder MapSmsStatusCallback(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/sms/status", ReceiveAsync).AllowAnonymous();
        return app;
    }

    private static async Task<IResult> ReceiveAsync(
        SmsStatusCallback callback, HttpContext http, IDocumentSession session, IOptions<SmsOptions> options, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(options.Value.WebhookKey))
        {
            return Results.NotFound();
        }

        var presented = Encoding.UTF8.GetBytes(http.Request.Headers.Authorization.ToString());
        if (!CryptographicOperations.FixedTimeEquals(presented, Encoding.UTF8.GetBytes($"Bearer {options.Value.WebhookKey}")))
        {
            return Results.Unauthorized();
        }

        if (!Guid.TryParseExact(callback.Reference, "N", out var deliveryId))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["reference"] = ["must be the reference sent with the message"] });
        }

        if (callback.Status is null || !Known.Contains(callback.Status))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["status"] = [$"must be one of {string.Join(", ", Known)}"] });
        }

        var stream = await session.Events.FetchForWriting<Delivery>(deliveryId, cancellationToken);
        if (stream.Aggregate is not { Channel: DeliveryChannel.Sms } delivery)
        {
            return Results.NotFound();
        }

        if (Undeliverable.Contains(callback.Status) && delivery.State == DeliveryState.Sent)
        {
            var reason = $"SMS provider reported {callback.Status}" + (string.IsNullOrWhiteSpace(callback.Error) ? "" : $": {callback.Error.Trim()[..Math.Min(200, callback.Error.Trim().Length)]}");
            stream.AppendOne(new DeliveryBounced(delivery.Target, reason, clock.GetUtcNow()));
            await session.SaveChangesAsync(cancellationToken);
        }

        return Results.NoContent();
    }
}
