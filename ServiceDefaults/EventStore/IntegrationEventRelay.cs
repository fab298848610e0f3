using System.Diagnostics;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace PortalPlatform.ServiceDefaults.EventStore;

/// <summary>
/// The outbox of a service: a Marten subscription run by the async daemon. For each committed event it sends what
/// the service's <see cref="IIntegrationEventMap"/> says, with publisher confirms, and only then lets Marten record
/// its progress in PostgreSQL. A crash in between re-sends the same messages with the same ids (at-least-once);
/// consumers drop duplicates by id. A broker outage holds the page and retries, it never skips it. A message that
/// can never be published (see <see cref="RelayFailures"/>) is parked with the reason, in the same transaction as
/// the progress, and the events after it go on.
/// </summary>
internal sealed class IntegrationEventRelay : SubscriptionBase
{
    public const string SubscriptionName = "integration-events";
    private static readonly ActivitySource Source = new("PortalPlatform.Relay");

    private readonly IBus _bus;
    private readonly IIntegrationEventMap _map;
    private readonly TimeProvider _clock;
    private readonly ILogger<IntegrationEventRelay> _logger;
    private readonly ResiliencePipeline _retry;

    public IntegrationEventRelay(IBus bus, IIntegrationEventMap map, TimeProvider clock, ILogger<IntegrationEventRelay> logger)
    {
        _bus = bus;
        _map = map;
        _clock = clock;
        _logger = logger;
        Name = SubscriptionName;
        _retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException && !RelayFailures.IsPermanent(ex)),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(10),
                OnRetry = args =>
                {
                    _logger.LogWarning(args.Outcome.Exception, "Publishing integration events failed (attempt {Attempt}); retrying", args.AttemptNumber + 1);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        foreach (var stored in page.Events)
        {
            IReadOnlyList<OutgoingMessage> messages;
            try
            {
                messages = OutgoingMessage.From(_map, stored);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Park(operations, ParkedMessage.Unmappable(stored, ex, _clock.GetUtcNow()), ex);
                continue;
            }

            if (messages.Count == 0)
            {
                continue;
            }

            using var activity = Source.StartActivity($"relay {stored.EventTypeName}", ActivityKind.Internal, ParentOf(stored));
            activity?.SetTag("portal.event.sequence", stored.Sequence);
            foreach (var message in messages)
            {
                try
                {
                    await _retry.ExecuteAsync(token => new ValueTask(message.SendAsync(_bus, token)), cancellationToken);
                }
                catch (Exception ex) when (RelayFailures.IsPermanent(ex))
                {
                    Park(operations, ParkedMessage.Unpublishable(stored, message, ex, _clock.GetUtcNow()), ex);
                }
            }
        }

        return NullChangeListener.Instance;
    }

    private void Park(IDocumentOperations operations, ParkedMessage parked, Exception failure)
    {
        operations.Store(parked);
        // The type only: an exception message may quote the payload, and logs leave the service.
        _logger.LogError(
            "Parked message {MessageId} ({MessageType}) of event {Sequence} ({EventType}): {Failure}; the events after it go on",
            parked.Id, parked.MessageType ?? "unmapped", parked.Sequence, parked.EventType, failure.GetType().Name);
    }

    private static ActivityContext ParentOf(IEvent stored)
    {
        if (stored.Headers is { } headers
            && headers.TryGetValue(TraceContextListener.TraceParent, out var parent)
            && ActivityContext.TryParse(parent?.ToString(), headers.GetValueOrDefault(TraceContextListener.TraceState)?.ToString(), out var context))
        {
            return context;
        }

        return default;
    }
}
