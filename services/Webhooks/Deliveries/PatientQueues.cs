using Marten;
using Marten.Patching;

namespace PortalPlatform.Webhooks.Deliveries;

/// <summary>
/// Per-patient order: of one subscription's deliveries for one patient, at most one is Pending (attempted, retried);
/// the others wait behind it and are promoted one by one, oldest event first.
/// </summary>
public static class PatientQueues
{
    /// <summary>True when a delivery for this subscription and patient is still pending or waiting.</summary>
    public static Task<bool> HasQueuedAsync(this IQuerySession session, Guid subscriptionId, string patientId, CancellationToken cancellationToken) =>
        session.Query<WebhookDelivery>().AnyAsync(d => d.SubscriptionId == subscriptionId && d.PatientId == patientId
            && (d.State == WebhookDeliveryState.Pending || d.State == WebhookDeliveryState.Waiting), cancellationToken);

    /// <summary>
    /// Makes the oldest waiting delivery of the queue pending (due now) unless one is pending already. The session's
    /// own unsaved change to <paramref name="settled"/> (it just left the head) is not visible to the query, hence the exclusion.
    /// </summary>
    public static async Task PromoteNextAsync(
        this IDocumentSession session, Guid subscriptionId, string patientId, DateTimeOffset now, CancellationToken cancellationToken, Guid? settled = null)
    {
        var queue = await session.Query<WebhookDelivery>()
            .Where(d => d.SubscriptionId == subscriptionId && d.PatientId == patientId
                && (d.State == WebhookDeliveryState.Pending || d.State == WebhookDeliveryState.Waiting))
            .OrderBy(d => d.OccurredAt).ThenBy(d => d.ConsumedAt).ThenBy(d => d.EventId)
            .Select(d => new QueuedDelivery(d.Id, d.State))
            .ToListAsync(cancellationToken);
        var others = queue.Where(d => d.Id != settled).ToList();
        if (others.Count == 0 || others.Any(d => d.State == WebhookDeliveryState.Pending))
        {
            return;
        }

        if (await session.LoadAsync<WebhookDelivery>(others[0].Id, cancellationToken) is { State: WebhookDeliveryState.Waiting } next)
        {
            next.Promote(now);
            session.Store(next);
        }
    }

    /// <summary>
    /// Repairs queues left without a head: a delivery queued behind one that finished at the same moment (its
    /// promotion query could not see the uncommitted newcomer). Waiting deliveries not looked at for
    /// <paramref name="grace"/> are checked; those still behind a pending head are looked at again after the grace.
    /// </summary>
    public static async Task PromoteStalledAsync(this IDocumentStore store, DateTimeOffset now, TimeSpan grace, CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        var cutoff = now - grace;
        var stalled = await session.Query<WebhookDelivery>()
            .Where(d => d.State == WebhookDeliveryState.Waiting && d.DueAt <= cutoff)
            .OrderBy(d => d.DueAt)
            .Select(d => new QueueKey(d.SubscriptionId, d.PatientId))
            .Take(100)
            .ToListAsync(cancellationToken);
        foreach (var queue in stalled.Distinct())
        {
            await session.PromoteNextAsync(queue.SubscriptionId, queue.PatientId, now, cancellationToken);
            session.Patch<WebhookDelivery>(d => d.SubscriptionId == queue.SubscriptionId && d.PatientId == queue.PatientId && d.State == WebhookDeliveryState.Waiting)
                .Set(d => d.DueAt, now);
        }

        await session.SaveChangesAsync(cancellationToken);
    }

    private sealed record QueuedDelivery(Guid Id, WebhookDeliveryState State);

    private sealed record QueueKey(Guid SubscriptionId, string PatientId);
}
