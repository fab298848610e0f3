using System.Text.Json.Serialization;
using Marten;
using Microsoft.Extensions.Options;
using PortalPlatform.ServiceDefaults.Dispatch;
using PortalPlatform.ServiceDefaults.Security;
using PortalPlatform.Webhooks.Catalogue;
using PortalPlatform.Webhooks.Deliveries;
using PortalPlatform.Webhooks.Inbound;
using PortalPlatform.Webhooks.Security;

namespace PortalPlatform.Webhooks.Subscriptions;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SubscriptionRequest(string? Url, List<string>? Events);

/// <summary>A PUT's body: the whole subscription as the admin wants it; <c>enabled</c> absent keeps it as it is.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SubscriptionUpdate(string? Url, List<string>? Events, bool? Enabled);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ReplayRequest(DateTimeOffset? From, DateTimeOffset? To);

/// <summary>The secret, shown once: at creation and at each rotation.</summary>
public sealed record SubscriptionSecretView(Guid Id, string Secret, DateTimeOffset? PreviousSecretExpiresAt);

public sealed record SubscriptionView(
    Guid Id, string Url, IReadOnlyList<string> Events, bool Enabled, string? DisabledReason, DateTimeOffset? DisabledAt, bool DisabledAutomatically,
    DateTimeOffset? FailingSince, DateTimeOffset? PreviousSecretExpiresAt, DateTimeOffset CreatedAt, string CreatedBy)
{
    public static SubscriptionView Of(Subscription s) => new(
        s.Id, s.Url, s.Events, s.Enabled, s.DisabledReason, s.DisabledAt, s.DisabledAutomatically, s.FailingSince, s.PreviousSecretExpiresAt, s.CreatedAt, s.CreatedBy);
}

public sealed record DeliveryView(
    Guid Id, Guid EventId, string EventType, string PatientId, DateTimeOffset OccurredAt, DateTimeOffset ConsumedAt,
    WebhookDeliveryState State, DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt, DateTimeOffset? ParkedAt, int AttemptCount,
    IReadOnlyList<DeliveryAttempt> Attempts)
{
    public static DeliveryView Of(WebhookDelivery d) => new(
        d.Id, d.EventId, d.EventType, d.PatientId, d.OccurredAt, d.ConsumedAt, d.State,
        d.State == WebhookDeliveryState.Pending ? d.DueAt : null, d.DeliveredAt, d.ParkedAt, d.AttemptCount, d.Attempts);
}

public sealed record ReplayView(int Requeued);

/// <summary>
/// <c>/api/practice/webhooks</c>: an admin's subscriptions, their delivery history, retry and replay. Another
/// practice's subscription answers exactly like a missing one (404).
/// </summary>
public static class SubscriptionEndpoints
{
    private const int MaxEventFilters = 50;
    private const int MaxDeliveriesListed = 200;

    public static IEndpointRouteBuilder MapWebhookSubscriptions(this IEndpointRouteBuilder app)
    {
        var webhooks = app.MapGroup("/api/practice/webhooks").RequireAuthorization(StaffPolicies.Admin).WithTags("Webhooks");
        webhooks.MapPost("", CreateAsync).WithSummary("Subscribe an endpoint; the signing secret is in this answer only");
        webhooks.MapGet("", ListAsync);
        webhooks.MapGet("/{id}", GetAsync).WithSummary("One subscription; ETag for If-Match on PUT");
        webhooks.MapPut("/{id}", UpdateAsync).WithSummary("Change the url, event filter or enabled; honours If-Match");
        webhooks.MapDelete("/{id}", DeleteAsync);
        webhooks.MapPost("/{id}/disable", DisableAsync);
        webhooks.MapPost("/{id}/enable", EnableAsync);
        webhooks.MapPost("/{id}/rotate-secret", RotateSecretAsync).WithSummary("New secret; the old one keeps signing too during the grace period");
        webhooks.MapGet("/{id}/deliveries", DeliveriesAsync).WithSummary("Newest deliveries first, with every attempt");
        webhooks.MapPost("/{id}/deliveries/{deliveryId}/retry", RetryAsync).WithSummary("Send one delivery again, same webhook-id");
        webhooks.MapPost("/{id}/replay", ReplayAsync).WithSummary("Send again every event of a time range, same webhook-ids");
        return app;
    }

    private static async Task<IResult> CreateAsync(
        SubscriptionRequest? request, HttpContext http, IDocumentSession session, TargetPolicy policy, SubscriptionSecrets secrets, TimeProvider clock)
    {
        var staff = StaffUser.From(http.User)!;
        if (request is null)
        {
            return Invalid("body", "A JSON body {url, events?} is required.");
        }

        if (await RefusalOfAsync(request.Url, request.Events, policy, http.RequestAborted) is { } refusal)
        {
            return refusal;
        }

        var secret = SubscriptionSecrets.NewSecret();
        var subscription = new Subscription
        {
            Id = Guid.NewGuid(),
            PracticeId = staff.PracticeId,
            Url = request.Url!,
            Events = DistinctEvents(request.Events),
            ProtectedSecret = secrets.Protect(secret),
            CreatedAt = clock.GetUtcNow(),
            CreatedBy = staff.UserId,
        };
        session.Store(subscription);
        await session.SaveChangesAsync(http.RequestAborted);
        return TypedResults.Created($"/api/practice/webhooks/{subscription.Id}", new SubscriptionSecretView(subscription.Id, secret, null));
    }

    /// <summary>
    /// Validated like a creation. Deliveries already queued go to the new url; the new filter applies to events
    /// consumed from now on. With If-Match (the GET's ETag) a change made meanwhile is a 412, never overwritten.
    /// </summary>
    private static async Task<IResult> UpdateAsync(
        string id, SubscriptionUpdate? request, HttpContext http, IDocumentSession session, TargetPolicy policy, TimeProvider clock, DispatcherWakeUp wakeUp)
    {
        var (refusal, subscription) = await OwnAsync(id, http, session);
        if (refusal is not null)
        {
            return refusal;
        }

        if (!TryReadIfMatch(http.Request, out var expected))
        {
            return Invalid("If-Match", "'If-Match' must be an ETag returned by GET /api/practice/webhooks/{id}.");
        }

        if (request is null)
        {
            return Invalid("body", "A JSON body {url, events?, enabled?} is required.");
        }

        if (await RefusalOfAsync(request.Url, request.Events, policy, http.RequestAborted) is { } invalid)
        {
            return invalid;
        }

        if (expected is { } version && version != subscription!.Version)
        {
            return Stale();
        }

        subscription!.Change(request.Url!, DistinctEvents(request.Events));
        if (request.Enabled is true && !subscription.Enabled)
        {
            subscription.Enable();
        }
        else if (request.Enabled is false && subscription.Enabled)
        {
            subscription.Disable($"Disabled by {StaffUser.From(http.User)!.UserId}.", clock.GetUtcNow());
        }

        session.Store(subscription);
        if (!await SavedAsync(session, http.RequestAborted))
        {
            return expected is null ? Busy() : Stale();
        }

        wakeUp.Signal();
        http.Response.Headers.ETag = ETagOf(subscription);
        return TypedResults.Ok(SubscriptionView.Of(subscription));
    }

    private static async Task<IResult> ListAsync(HttpContext http, IQuerySession session)
    {
        var staff = StaffUser.From(http.User)!;
        var subscriptions = await session.Query<Subscription>()
            .Where(s => s.PracticeId == staff.PracticeId)
            .OrderBy(s => s.CreatedAt)
            .ToListAsync(http.RequestAborted);
        return TypedResults.Ok(subscriptions.Select(SubscriptionView.Of));
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, IQuerySession session)
    {
        var (refusal, subscription) = await OwnAsync(id, http, session);
        if (refusal is not null)
        {
            return refusal;
        }

        http.Response.Headers.ETag = ETagOf(subscription!);
        return TypedResults.Ok(SubscriptionView.Of(subscription!));
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext http, IDocumentSession session)
    {
        var (refusal, subscription) = await OwnAsync(id, http, session);
        if (refusal is not null)
        {
            return refusal;
        }

        session.Delete(subscription!);
        session.DeleteWhere<WebhookDelivery>(d => d.SubscriptionId == subscription!.Id);
        await session.SaveChangesAsync(http.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> DisableAsync(string id, HttpContext http, IDocumentSession session, TimeProvider clock)
    {
        var (refusal, subscription) = await OwnAsync(id, http, session);
        if (refusal is not null)
        {
            return refusal;
        }

        subscription!.Disable($"Disabled by {StaffUser.From(http.User)!.UserId}.", clock.GetUtcNow());
        session.Store(subscription);
        return await SavedAsync(session, http.RequestAborted) ? TypedResults.Ok(SubscriptionView.Of(subscription)) : Busy();
    }

    private static async Task<IResult> EnableAsync(string id, HttpContext http, IDocumentSession session, DispatcherWakeUp wakeUp)
    {
        var (refusal, subscription) = await OwnAsync(id, http, session);
        if (refusal is not null)
        {
            return refusal;
        }

        subscription!.Enable();
        session.Store(subscription);
        if (!await SavedAsync(session, http.RequestAborted))
        {
            return Busy();
        }

        wakeUp.Signal();
        return TypedResults.Ok(SubscriptionView.Of(subscription));
    }

    private static async Task<IResult> RotateSecretAsync(
        string id, HttpContext http, IDocumentSession session, SubscriptionSecrets secrets, TimeProvider clock, IOptions<WebhookOptions> options)
    {
        var (refusal, subscription) = await OwnAsync(id, http, session);
        if (refusal is not null)
        {
            return refusal;
        }

        var secret = SubscriptionSecrets.NewSecret();
        subscription!.ProtectedPreviousSecret = subscription.ProtectedSecret;
        subscription.PreviousSecretExpiresAt = clock.GetUtcNow() + options.Value.RotationGracePeriod;
        subscription.ProtectedSecret = secrets.Protect(secret);
        session.Store(subscription);
        if (!await SavedAsync(session, http.RequestAborted))
        {
            return Busy();
        }

        return TypedResults.Ok(new SubscriptionSecretView(subscription.Id, secret, subscription.PreviousSecretExpiresAt));
    }

    private static async Task<IResult> DeliveriesAsync(string id, HttpContext http, IQuerySession session)
    {
        var (refusal, subscription) = await OwnAsync(id, http, session);
        if (refusal is not null)
        {
            return refusal;
        }

        var deliveries = await session.Query<WebhookDelivery>()
            .Where(d => d.SubscriptionId == subscription!.Id)
            .OrderByDescending(d => d.ConsumedAt)
            .Take(MaxDeliveriesListed)
            .ToListAsync(http.RequestAborted);
        return TypedResults.Ok(deliveries.Select(DeliveryView.Of));
    }

    private static async Task<IResult> RetryAsync(string id, string deliveryId, HttpContext http, IDocumentSession session, TimeProvider clock, DispatcherWakeUp wakeUp)
    {
        var (refusal, subscription) = await OwnAsync(id, http, session);
        if (refusal is not null)
        {
            return refusal;
        }

        if (!Guid.TryParse(deliveryId, out var deliveryGuid))
        {
            return Invalid("deliveryId", "'deliveryId' must be a GUID.");
        }

        if (await session.LoadAsync<WebhookDelivery>(deliveryGuid, http.RequestAborted) is not { } delivery || delivery.SubscriptionId != subscription!.Id)
        {
            return NotFound("No such delivery.");
        }

        delivery.Requeue(clock.GetUtcNow());
        session.Store(delivery);
        if (!await SavedAsync(session, http.RequestAborted))
        {
            return Busy();
        }

        await session.PromoteNextAsync(delivery.SubscriptionId, delivery.PatientId, clock.GetUtcNow(), http.RequestAborted);
        await session.SaveChangesAsync(http.RequestAborted);

        wakeUp.Signal();
        return TypedResults.Accepted($"/api/practice/webhooks/{subscription.Id}/deliveries", DeliveryView.Of(delivery));
    }

    /// <summary>
    /// Every stored event of the practice in [from, to) that the subscription wants is sent again: its existing
    /// delivery is requeued, and an event from before the subscription (or while it was disabled) gets one.
    /// </summary>
    private static async Task<IResult> ReplayAsync(string id, ReplayRequest? request, HttpContext http, IDocumentSession session, TimeProvider clock, DispatcherWakeUp wakeUp)
    {
        var (refusal, subscription) = await OwnAsync(id, http, session);
        if (refusal is not null)
        {
            return refusal;
        }

        if (request is not { From: { } from, To: { } to } || from >= to)
        {
            return Invalid(request?.From is null ? "from" : "to", "'from' and 'to' are required and 'from' must be before 'to'.");
        }

        var now = clock.GetUtcNow();
        var events = await session.Query<ReceivedEvent>()
            .Where(e => e.PracticeId == subscription!.PracticeId && e.OccurredAt >= from && e.OccurredAt < to)
            .ToListAsync(http.RequestAborted);
        var wanted = events.Where(e => subscription!.Wants(e.Type)).ToList();
        var existing = (await session.LoadManyAsync<WebhookDelivery>(http.RequestAborted, wanted.Select(e => WebhookDelivery.IdOf(subscription!.Id, e.Id)).ToArray()))
            .ToDictionary(d => d.EventId);
        foreach (var received in wanted)
        {
            if (existing.GetValueOrDefault(received.Id) is { } delivery)
            {
                delivery.Requeue(now);
                session.Store(delivery);
            }
            else
            {
                session.Insert(WebhookDelivery.For(subscription!.Id, received, behindAnother: true));
            }
        }

        if (!await SavedAsync(session, http.RequestAborted))
        {
            return Busy();
        }

        foreach (var patientId in wanted.Select(e => e.PatientId).Distinct(StringComparer.Ordinal))
        {
            await session.PromoteNextAsync(subscription!.Id, patientId, now, http.RequestAborted);
        }

        await session.SaveChangesAsync(http.RequestAborted);
        wakeUp.Signal();
        return TypedResults.Accepted($"/api/practice/webhooks/{subscription!.Id}/deliveries", new ReplayView(wanted.Count));
    }

    /// <summary>The caller's practice's subscription, or the refusal: a 400 for an odd id, a 404 for a missing or foreign one.</summary>
    private static async Task<(IResult? Refusal, Subscription? Subscription)> OwnAsync(string id, HttpContext http, IQuerySession session)
    {
        if (!Guid.TryParse(id, out var guid))
        {
            return (Invalid("id", "'id' must be a GUID."), null);
        }

        var staff = StaffUser.From(http.User)!;
        var subscription = await session.LoadAsync<Subscription>(guid, http.RequestAborted);
        return subscription is null || subscription.PracticeId != staff.PracticeId
            ? (NotFound("No such webhook subscription."), null)
            : (null, subscription);
    }

    /// <summary>The url and event filter of a creation or a change, or the problem naming the field that is wrong.</summary>
    private static async Task<IResult?> RefusalOfAsync(string? url, List<string>? events, TargetPolicy policy, CancellationToken cancellationToken)
    {
        if (await policy.RefusalOfAsync(url, cancellationToken) is { } refusal)
        {
            return Invalid("url", $"'url' {refusal}.");
        }

        if (events?.Count > MaxEventFilters)
        {
            return Invalid("events", $"'events' may list at most {MaxEventFilters} types.");
        }

        return events?.FirstOrDefault(e => !EventCatalogue.IsKnown(e ?? "")) is { } unknown
            ? Invalid("events", $"'{unknown}' is not an event type; see the event catalogue (for example {EventCatalogue.Entries[0].CloudEventType}).")
            : null;
    }

    private static List<string> DistinctEvents(List<string>? events) => [.. (events ?? []).Distinct(StringComparer.Ordinal)];

    private static string ETagOf(Subscription subscription) => $"\"{subscription.Version:N}\"";

    /// <summary>The version in If-Match; null when absent or <c>*</c>. False when the header is not an ETag we issued.</summary>
    private static bool TryReadIfMatch(HttpRequest request, out Guid? version)
    {
        version = null;
        var header = request.Headers.IfMatch.ToString().Trim();
        if (header is "" or "*")
        {
            return true;
        }

        if (header.Length > 2 && header[0] == '"' && header[^1] == '"' && Guid.TryParseExact(header[1..^1], "N", out var parsed))
        {
            version = parsed;
            return true;
        }

        return false;
    }

    /// <summary>False when a delivery or the subscription changed meanwhile (an attempt was being recorded); nothing was saved.</summary>
    private static async Task<bool> SavedAsync(IDocumentSession session, CancellationToken cancellationToken)
    {
        try
        {
            await session.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is JasperFx.ConcurrencyException or JasperFx.DocumentAlreadyExistsException
            or AggregateException { InnerExceptions: [JasperFx.ConcurrencyException, ..] })
        {
            return false;
        }
    }

    private static IResult Busy() =>
        TypedResults.Problem("A delivery was being attempted at the same moment; send the request again.", statusCode: StatusCodes.Status409Conflict, title: "Conflict");

    private static IResult Stale() =>
        TypedResults.Problem("The subscription changed since you read it (If-Match is stale); read it again and decide again.",
            statusCode: StatusCodes.Status412PreconditionFailed, title: "Precondition failed");

    private static IResult Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    private static IResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");
}
