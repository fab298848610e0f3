using System.Diagnostics;
using Marten;
using Microsoft.Extensions.Options;
using PortalPlatform.ServiceDefaults.Dispatch;
using PortalPlatform.Webhooks.Inbound;
using PortalPlatform.Webhooks.Subscriptions;

namespace PortalPlatform.Webhooks.Deliveries;

/// <summary>
/// Sends every due delivery. Only the head of each (subscription, patient) queue is Pending (see
/// <see cref="PatientQueues"/>), so a later event waits while an earlier one is retrying. An attempt
/// is claimed with optimistic concurrency (two instances never send the same attempt); a claim whose process died
/// is taken over when its lease ends, and the event is sent again with the same webhook-id.
/// </summary>
public sealed class DeliveryDispatcher(
    IDocumentStore store,
    WebhookSender sender,
    SubscriptionSecrets secrets,
    DispatcherWakeUp wakeUp,
    IOptions<WebhookOptions> options,
    TimeProvider clock,
    ILogger<DeliveryDispatcher> logger) : BackgroundService
{
    /// <summary>Due deliveries attempted per round, earliest due first.</summary>
    private const int BatchSize = 500;

    /// <summary>How long a waiting delivery goes unchecked before the dispatcher makes sure its queue has a head.</summary>
    private static readonly TimeSpan StallGrace = TimeSpan.FromSeconds(2);
    private static readonly ActivitySource Source = new(WebhookMetrics.MeterName);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        // Parking is decided by the retry window, not by a number of attempts.
        var schedule = new RetrySchedule(int.MaxValue, settings.FirstRetryDelay, settings.MaxRetryDelay, Random.Shared.NextDouble);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var attempted = 0;
                try
                {
                    await store.PromoteStalledAsync(clock.GetUtcNow(), StallGrace, stoppingToken);
                    var due = await DueAsync(stoppingToken);
                    attempted = due.Count;
                    await Parallel.ForEachAsync(
                        due,
                        new ParallelOptions { MaxDegreeOfParallelism = settings.MaxParallelSends, CancellationToken = stoppingToken },
                        async (delivery, token) => await AttemptAsync(delivery.Id, delivery.Subscription, schedule, settings, token));
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "A round of webhook deliveries failed; the next round retries what is still due");
                }

                // A round that sent something may have unblocked the next event of the same patients: look again at once.
                if (attempted == 0)
                {
                    await wakeUp.WaitAsync(settings.PollInterval, clock, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private sealed record Due(Guid Id, Subscription Subscription);

    private async Task<IReadOnlyList<Due>> DueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var session = store.QuerySession();
        // A disabled subscription's deliveries stay pending, out of the way of everyone else's.
        var disabled = (await session.Query<Subscription>().Where(s => !s.Enabled).Select(s => s.Id).ToListAsync(cancellationToken)).ToArray();
        var due = await session.Query<WebhookDelivery>()
            .Where(d => d.State == WebhookDeliveryState.Pending && d.DueAt <= now && !d.SubscriptionId.IsOneOf(disabled))
            .OrderBy(d => d.DueAt)
            .Select(d => new { d.Id, d.SubscriptionId })
            .Take(BatchSize)
            .ToListAsync(cancellationToken);
        if (due.Count == 0)
        {
            return [];
        }

        var subscriptions = (await session.LoadManyAsync<Subscription>(cancellationToken, due.Select(d => d.SubscriptionId).Distinct().ToArray()))
            .Where(s => s.Enabled)
            .ToDictionary(s => s.Id);
        return [.. due.Where(d => subscriptions.ContainsKey(d.SubscriptionId)).Select(d => new Due(d.Id, subscriptions[d.SubscriptionId]))];
    }

    private async Task AttemptAsync(Guid id, Subscription subscription, RetrySchedule schedule, WebhookOptions settings, CancellationToken cancellationToken)
    {
        ReceivedEvent? received;
        var startedAt = clock.GetUtcNow();
        try
        {
            await using var claim = store.LightweightSession();
            if (await claim.LoadAsync<WebhookDelivery>(id, cancellationToken) is not { } delivery || !delivery.Claim(startedAt, settings.SendLease))
            {
                return;
            }

            claim.Store(delivery);
            await claim.SaveChangesAsync(cancellationToken);
            received = await claim.LoadAsync<ReceivedEvent>(delivery.EventId, cancellationToken);
        }
        catch (JasperFx.ConcurrencyException)
        {
            return; // another instance claimed this attempt first
        }

        using var activity = Source.StartActivity("deliver webhook", ActivityKind.Client);
        activity?.SetTag("portal.webhook.subscription", subscription.Id);
        activity?.SetTag("portal.webhook.delivery", id);

        var result = received is null
            ? new AttemptResult(null, TimeSpan.Zero, "event body missing", null)
            : await sender.SendAsync(subscription.Url, received, secrets.SigningSecretsOf(subscription, startedAt), cancellationToken);
        await RecordAsync(id, subscription.Id, result, startedAt, schedule, settings);
    }

    /// <summary>Records the outcome even while shutting down: the attempt happened.</summary>
    private async Task RecordAsync(Guid id, Guid subscriptionId, AttemptResult result, DateTimeOffset startedAt, RetrySchedule schedule, WebhookOptions settings)
    {
        try
        {
            var now = clock.GetUtcNow();
            await using var session = store.LightweightSession();
            if (await session.LoadAsync<WebhookDelivery>(id) is not { } delivery)
            {
                return; // its subscription was deleted meanwhile
            }

            delivery.Conclude(result, startedAt, now, schedule, settings.RetryWindow);
            session.Store(delivery);
            if (!delivery.IsQueued)
            {
                await session.PromoteNextAsync(delivery.SubscriptionId, delivery.PatientId, now, CancellationToken.None, settled: delivery.Id);
            }

            await session.SaveChangesAsync();
            var disabled = await RecordOutcomeAsync(subscriptionId, result.Succeeded, now, settings.DisableAfter);
            Measure(delivery, result, now, disabled);
        }
        catch (JasperFx.ConcurrencyException)
        {
            logger.LogWarning("Webhook delivery {DeliveryId} changed while an attempt was sending; its outcome is not recorded", id);
        }
        catch (Exception ex)
        {
            // The database is away: the claim's lease runs out and the attempt is made again, with the same webhook-id.
            logger.LogError(ex, "Recording an attempt of webhook delivery {DeliveryId} failed", id);
        }
    }

    /// <summary>
    /// The endpoint's run of failures, in its own transaction: an admin's change saved meanwhile (optimistic
    /// concurrency) is read again, never overwritten. True when the subscription is now disabled.
    /// </summary>
    private async Task<bool> RecordOutcomeAsync(Guid subscriptionId, bool succeeded, DateTimeOffset now, TimeSpan disableAfter)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            if (await session.LoadAsync<Subscription>(subscriptionId) is not { } subscription)
            {
                return false;
            }

            var failingSince = subscription.FailingSince;
            var disabled = subscription.RecordOutcome(succeeded, now, disableAfter);
            if (!disabled && subscription.FailingSince == failingSince)
            {
                return false;
            }

            session.Store(subscription);
            try
            {
                await session.SaveChangesAsync();
                return disabled;
            }
            catch (JasperFx.ConcurrencyException) when (attempt < 3)
            {
            }
        }
    }

    private void Measure(WebhookDelivery delivery, AttemptResult result, DateTimeOffset now, bool disabled)
    {
        var tags = new KeyValuePair<string, object?>("event.type", delivery.EventType);
        if (result.Succeeded)
        {
            WebhookMetrics.Sent.Add(1, tags);
            WebhookMetrics.Lag.Record((now - delivery.ConsumedAt).TotalSeconds, tags);
            return;
        }

        WebhookMetrics.Failed.Add(1, tags);
        if (delivery.State == WebhookDeliveryState.Parked)
        {
            WebhookMetrics.Parked.Add(1, tags);
            logger.LogWarning("Webhook delivery {DeliveryId} parked after {Attempts} attempts: {Outcome}", delivery.Id, delivery.AttemptCount, result.Outcome);
        }

        if (disabled)
        {
            WebhookMetrics.Disabled.Add(1);
            logger.LogWarning("Webhook subscription {SubscriptionId} disabled: its endpoint kept failing", delivery.SubscriptionId);
        }
    }
}
