using System.Diagnostics;
using System.Diagnostics.Metrics;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.Options;
using PortalPlatform.Contracts;
using PortalPlatform.Notification.Email;
using PortalPlatform.Notification.Sms;
using PortalPlatform.Notification.Voiding;
using PortalPlatform.ServiceDefaults.Dispatch;

namespace PortalPlatform.Notification.Deliveries;

/// <summary>
/// Sends every due delivery. Per attempt: claim it (an event appended with optimistic concurrency, so two
/// instances never send the same attempt), send, then record the outcome. Retries are stored (next-attempt time),
/// so they survive restarts; an attempt whose process died is taken over when its lease runs out.
/// </summary>
public sealed class DeliveryDispatcher(
    IDocumentStore store,
    SmtpEmailSender email,
    SmsProviderClient sms,
    DispatcherWakeUp wakeUp,
    IOptions<DeliveryOptions> options,
    TimeProvider clock,
    ILogger<DeliveryDispatcher> logger) : BackgroundService
{
    public const string TelemetryName = "PortalPlatform.Notification";
    private const int BatchSize = 200;
    private static readonly ActivitySource Source = new(TelemetryName);
    private static readonly Meter Meter = new(TelemetryName);
    private static readonly Counter<long> Attempts = Meter.CreateCounter<long>("portal.notification.attempts", description: "send attempts by channel and outcome");

    /// <summary>
    /// Where a message's time goes: storing the command (<c>store</c>), then per attempt <c>claim</c>, <c>send</c>
    /// (with the wait for an SMTP connection), <c>smtp</c> (the conversation alone) and <c>record</c>.
    /// </summary>
    private static readonly Histogram<double> Phases = Meter.CreateHistogram<double>(
        "portal.notification.phase.duration", "ms", "time spent storing a command, and per attempt claiming it, sending it and recording the outcome");

    /// <summary>Records a phase that began at <paramref name="startedAt"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    internal static void RecordPhase(string phase, long startedAt) =>
        Phases.Record(Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds, new KeyValuePair<string, object?>("phase", phase));

    /// <summary>Records a phase of an attempt on one channel.</summary>
    private static void RecordPhase(string phase, long startedAt, KeyValuePair<string, object?> channel) =>
        Phases.Record(Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds, new KeyValuePair<string, object?>("phase", phase), channel);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var schedule = new RetrySchedule(settings.MaxAttempts, settings.FirstRetryDelay, settings.MaxRetryDelay, Random.Shared.NextDouble);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var due = await DueAsync(stoppingToken);
                if (due.Count > 0)
                {
                    try
                    {
                        await Parallel.ForEachAsync(
                            due,
                            new ParallelOptions { MaxDegreeOfParallelism = settings.MaxParallelSends, CancellationToken = stoppingToken },
                            async (candidate, token) => await AttemptAsync(candidate, schedule, settings.SendLease, token));
                    }
                    catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                    {
                        logger.LogError(ex, "A round of deliveries failed; the next round retries what is still due");
                    }
                }

                if (due.Count < BatchSize)
                {
                    await wakeUp.WaitAsync(settings.PollInterval, clock, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>A due delivery and the invitation it belongs to (fixed at queueing), so the claim reads both in one batch.</summary>
    private sealed record Due(Guid Id, Guid? InvitationId);

    private async Task<IReadOnlyList<Due>> DueAsync(CancellationToken cancellationToken)
    {
        try
        {
            var now = clock.GetUtcNow();
            await using var session = store.QuerySession();
            var due = await session.Query<Delivery>()
                .Where(d => (d.State == DeliveryState.Queued || d.State == DeliveryState.Sending) && d.DueAt <= now)
                .OrderBy(d => d.DueAt)
                .Select(d => new { d.Id, d.InvitationId })
                .Take(BatchSize)
                .ToListAsync(cancellationToken);
            return due.Select(d => new Due(d.Id, d.InvitationId)).ToList();
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Looking for due deliveries failed; trying again at the next poll");
            return [];
        }
    }

    private async Task AttemptAsync(Due due, RetrySchedule schedule, TimeSpan lease, CancellationToken cancellationToken)
    {
        var id = due.Id;
        var started = Stopwatch.GetTimestamp();
        DeliveryAttemptStarted attempt;
        Delivery delivery;
        OutboundMessage? outbound;
        try
        {
            // One round trip reads the stream, the void (the last word before a send) and the content; one writes the claim.
            await using var claim = store.LightweightSession();
            var batch = claim.CreateBatchQuery();
            var fetched = batch.Events.FetchForWriting<Delivery>(id);
            var voidedLoad = due.InvitationId is { } invitationId ? batch.Load<VoidedInvitation>(invitationId) : Task.FromResult<VoidedInvitation?>(null);
            var content = batch.Load<OutboundMessage>(id);
            await batch.Execute(cancellationToken);
            var stream = await fetched;
            if (stream.Aggregate is not { } current)
            {
                return;
            }

            // A voided invitation or an expired code is dropped, never sent late.
            var now = clock.GetUtcNow();
            var voided = await voidedLoad;
            if (current.Drop(now, voided?.How) is { } cancelled)
            {
                stream.AppendOne(cancelled);
                claim.Delete<OutboundMessage>(id);
                await claim.SaveChangesAsync(cancellationToken);
                logger.LogInformation("Delivery {DeliveryId} dropped unsent: {Reason}", id, cancelled.Reason);
                return;
            }

            if (current.Claim(now, lease) is not { } next)
            {
                return;
            }

            stream.AppendOne(next);
            await claim.SaveChangesAsync(cancellationToken);
            (attempt, delivery, outbound) = (next, current, await content);
            delivery.Apply(attempt);
        }
        catch (Exception ex) when (ex is JasperFx.ConcurrencyException or EventStreamUnexpectedMaxEventIdException)
        {
            return; // another sender claimed this attempt first
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Claiming delivery {DeliveryId} failed; it stays due", id);
            return;
        }

        var channel = new KeyValuePair<string, object?>("channel", delivery.Channel.ToString());
        RecordPhase("claim", started, channel);
        using var activity = Source.StartActivity($"deliver {delivery.Channel.ToString().ToLowerInvariant()}", ActivityKind.Client);
        activity?.SetTag("portal.delivery.id", id);
        activity?.SetTag("portal.delivery.attempt", attempt.Attempt);
        activity?.SetTag("portal.delivery.kind", delivery.Kind.ToString());

        // A send once begun is finished, also when the service is stopping (bounded by Smtp:Timeout / Sms:Timeout):
        // cancelling it could cut the conversation after the server took the message, and the next sender would
        // deliver it a second time.
        SendOutcome outcome;
        var sending = Stopwatch.GetTimestamp();
        try
        {
            outcome = outbound is null
                ? SendOutcome.PermanentFailure("message content missing")
                : delivery.Channel == DeliveryChannel.Email
                    ? await email.SendAsync(id, outbound, CancellationToken.None)
                    : await sms.SendAsync(id, outbound, CancellationToken.None);
        }
        catch (Exception ex)
        {
            // Whatever a sender did not expect must not stop the dispatcher: count it as a failed attempt.
            logger.LogError(ex, "Sending delivery {DeliveryId} threw", id);
            outcome = SendOutcome.TransientFailure($"unexpected {ex.GetType().Name}");
        }

        RecordPhase("send", sending, channel);
        activity?.SetTag("portal.delivery.outcome", outcome.Accepted ? "sent" : outcome.Permanent ? "refused" : "retry");
        if (!outcome.Accepted)
        {
            activity?.SetStatus(ActivityStatusCode.Error, outcome.Detail);
        }

        Attempts.Add(1, channel, new("outcome", outcome.Accepted ? "sent" : outcome.Permanent ? "refused" : "retry"));
        var recording = Stopwatch.GetTimestamp();
        await RecordAsync(id, attempt, outcome, schedule);
        RecordPhase("record", recording, channel);
    }

    // Recorded even while shutting down: the message may have been sent, and forgetting that would send it again.
    private async Task RecordAsync(Guid id, DeliveryAttemptStarted started, SendOutcome outcome, RetrySchedule schedule)
    {
        try
        {
            await using var session = store.LightweightSession();
            var stream = await session.Events.FetchForWriting<Delivery>(id, CancellationToken.None);
            if (stream.Aggregate is not { State: DeliveryState.Sending } delivery || delivery.Attempts != started.Attempt)
            {
                logger.LogWarning("Delivery {DeliveryId} attempt {Attempt} was taken over by another sender; its outcome is not recorded", id, started.Attempt);
                return;
            }

            var concluded = delivery.Conclude(outcome, clock.GetUtcNow(), schedule);
            stream.AppendOne(concluded);
            if (concluded is DeliverySent or DeliveryFailed)
            {
                session.Delete<OutboundMessage>(id);
            }

            await session.SaveChangesAsync(CancellationToken.None);
            if (concluded is DeliveryFailed failed)
            {
                logger.LogWarning("Delivery {DeliveryId} ({Channel}) failed after {Attempts} attempts: {Reason}", id, delivery.Channel, failed.Attempt, failed.Reason);
            }
        }
        catch (Exception ex) when (ex is JasperFx.ConcurrencyException or EventStreamUnexpectedMaxEventIdException)
        {
            logger.LogWarning("Delivery {DeliveryId} changed while attempt {Attempt} was sending; its outcome is not recorded", id, started.Attempt);
        }
        catch (Exception ex)
        {
            // The database is away: the claim's lease runs out and the attempt is made again, with the same message id.
            logger.LogError(ex, "Recording attempt {Attempt} of delivery {DeliveryId} failed", started.Attempt, id);
        }
    }
}
