using PortalPlatform.ServiceDefaults;
using PortalPlatform.ServiceDefaults.Dispatch;
using PortalPlatform.Webhooks.Inbound;

namespace PortalPlatform.Webhooks.Deliveries;

public enum WebhookDeliveryState
{
    /// <summary>Behind an earlier delivery of the same patient to the same subscription; made Pending when that one is done.</summary>
    Waiting,

    /// <summary>At the head of its patient's queue: attempted when due.</summary>
    Pending,

    /// <summary>The endpoint answered 2xx.</summary>
    Delivered,

    /// <summary>Retried for the whole retry window without success; only an admin's retry or replay sends it again.</summary>
    Parked,
}

/// <summary>One attempt as the history shows it: status code, latency and a short excerpt of the answer, never more.</summary>
public sealed record DeliveryAttempt(int Number, DateTimeOffset At, int? StatusCode, int LatencyMs, bool Succeeded, string Outcome, string? ResponseExcerpt);

/// <summary>How one attempt ended.</summary>
public sealed record AttemptResult(int? StatusCode, TimeSpan Latency, string? Error, string? ResponseExcerpt)
{
    public bool Succeeded => StatusCode is >= 200 and < 300;

    public string Outcome => Succeeded ? "delivered" : Error ?? $"answered {StatusCode}";
}

/// <summary>One event for one subscription. Decisions are methods of this state, tested without a database.</summary>
public sealed class WebhookDelivery
{
    /// <summary>Attempts kept in the history; a delivery retried for a day makes about 35.</summary>
    public const int MaxAttemptsKept = 100;

    public Guid Id { get; set; }
    public Guid SubscriptionId { get; set; }
    public Guid PracticeId { get; set; }
    public string PatientId { get; set; } = "";
    public Guid EventId { get; set; }
    public string EventType { get; set; } = "";
    public DateTimeOffset OccurredAt { get; set; }
    public DateTimeOffset ConsumedAt { get; set; }
    public WebhookDeliveryState State { get; set; }

    /// <summary>When the next attempt may start: the retry time while pending, the lease's end while an attempt runs.</summary>
    public DateTimeOffset DueAt { get; set; }

    /// <summary>First failed attempt of the current series; the retry window counts from here.</summary>
    public DateTimeOffset? FailingSince { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }

    /// <summary>When the retry window ran out; retention counts from here.</summary>
    public DateTimeOffset? ParkedAt { get; set; }

    public int AttemptCount { get; set; }
    public List<DeliveryAttempt> Attempts { get; set; } = [];

    /// <summary>The same delivery id for the same event and subscription, however often the event arrives.</summary>
    public static Guid IdOf(Guid subscriptionId, Guid eventId) => DeterministicGuid.Create(eventId, $"webhook:{subscriptionId:N}");

    /// <param name="behindAnother">True when an earlier delivery of the same patient to this subscription is still queued.</param>
    public static WebhookDelivery For(Guid subscriptionId, ReceivedEvent received, bool behindAnother) => new()
    {
        Id = IdOf(subscriptionId, received.Id),
        SubscriptionId = subscriptionId,
        PracticeId = received.PracticeId,
        PatientId = received.PatientId,
        EventId = received.Id,
        EventType = received.Type,
        OccurredAt = received.OccurredAt,
        ConsumedAt = received.ConsumedAt,
        State = behindAnother ? WebhookDeliveryState.Waiting : WebhookDeliveryState.Pending,
        DueAt = received.ConsumedAt,
    };

    public bool IsQueued => State is WebhookDeliveryState.Pending or WebhookDeliveryState.Waiting;

    /// <summary>Takes the next attempt until <paramref name="now"/> + <paramref name="lease"/>; false when it is not due.</summary>
    public bool Claim(DateTimeOffset now, TimeSpan lease)
    {
        if (State != WebhookDeliveryState.Pending || DueAt > now)
        {
            return false;
        }

        DueAt = now + lease;
        return true;
    }

    /// <summary>Delivered, retried later (back-off with jitter), or parked once the retry window is over.</summary>
    public void Conclude(AttemptResult result, DateTimeOffset startedAt, DateTimeOffset now, RetrySchedule schedule, TimeSpan retryWindow)
    {
        AttemptCount++;
        Attempts.Add(new DeliveryAttempt(AttemptCount, startedAt, result.StatusCode, (int)result.Latency.TotalMilliseconds, result.Succeeded, result.Outcome, result.ResponseExcerpt));
        if (Attempts.Count > MaxAttemptsKept)
        {
            Attempts.RemoveAt(0);
        }

        if (result.Succeeded)
        {
            State = WebhookDeliveryState.Delivered;
            DeliveredAt = now;
            FailingSince = null;
            return;
        }

        FailingSince ??= startedAt;
        var failures = Attempts.Count(a => !a.Succeeded && a.At >= FailingSince);
        var next = now + schedule.DelayAfter(failures);
        if (next - FailingSince.Value > retryWindow)
        {
            State = WebhookDeliveryState.Parked;
            ParkedAt = now;
            return;
        }

        DueAt = next;
    }

    /// <summary>
    /// An admin's retry or replay: sent again as a new series of attempts with the same webhook-id. A delivery
    /// already at the head of its queue is due at once; any other goes to the back and waits its turn.
    /// </summary>
    public void Requeue(DateTimeOffset now)
    {
        State = State == WebhookDeliveryState.Pending ? WebhookDeliveryState.Pending : WebhookDeliveryState.Waiting;
        ParkedAt = null;
        DueAt = now;
        FailingSince = null;
    }

    /// <summary>Its turn has come: the delivery before it is done.</summary>
    public void Promote(DateTimeOffset now)
    {
        State = WebhookDeliveryState.Pending;
        DueAt = now;
    }
}
