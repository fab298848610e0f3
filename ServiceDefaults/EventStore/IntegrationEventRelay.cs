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
using PortalPlatform.Contracts;
using PortalPlatform.ServiceDefaults.Messaging;

namespace PortalPlatform.ServiceDefaults.EventStore;

/// <summary>
/// The outbox of a service: a Marten subscription run by the async daemon. For each committed event it sends what
/// the service's <see cref="IIntegrationEventMap"/> says, with publisher confirms, and only then lets Marten record
/// its progress in PostgreSQL. A crash in between re-sends the same messages with the same ids (at-least-once);
/// consumers drop duplicates by id. A broker outage holds the page and retries, it never skips it.
/// </summary>
internal sealed class IntegrationEventRelay : SubscriptionBase
{
    public const string SubscriptionName = "integration-events";
    private static readonly ActivitySource Source = new("PortalPlatform.Relay");

    private readonly IBus _bus;
    private readonly IIntegrationEventMap _map;
    private readonly ILogger<IntegrationEventRelay> _logger;
    private readonly ResiliencePipeline _retry;

    public IntegrationEventRelay(IBus bus, IIntegrationEventMap map, ILogger<IntegrationEventRelay> logger)
    {
        _bus = bus;
        _map = map;
        _logger = logger;
        Name = SubscriptionName;
        _retry = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException),
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
            var messages = _map.Map(stored).ToList();
            if (messages.Count == 0)
            {
                continue;
            }

            using var activity = Source.StartActivity($"relay {stored.EventTypeName}", ActivityKind.Internal, ParentOf(stored));
            activity?.SetTag("portal.event.sequence", stored.Sequence);
            foreach (var message in messages)
            {
                await _retry.ExecuteAsync(token => new ValueTask(SendAsync(message, token)), cancellationToken);
            }
        }

        return NullChangeListener.Instance;
    }

    private Task SendAsync(object message, CancellationToken cancellationToken)
    {
        var messageId = StoredEventIds.MessageIdOf(message);
        if (message is IPortalCommand)
        {
            return SendCommandAsync(message, messageId, cancellationToken);
        }

        return _bus.Publish(message, message.GetType(), Pipe.Execute<PublishContext>(context => context.MessageId = messageId), cancellationToken);
    }

    private async Task SendCommandAsync(object command, Guid messageId, CancellationToken cancellationToken)
    {
        var endpoint = await _bus.GetSendEndpoint(CommandRouting.AddressOf(command.GetType()));
        await endpoint.Send(command, command.GetType(), Pipe.Execute<SendContext>(context => context.MessageId = messageId), cancellationToken);
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
