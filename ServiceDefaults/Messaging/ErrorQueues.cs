using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace PortalPlatform.ServiceDefaults.Messaging;

/// <summary>
/// The service's own receive endpoints and their MassTransit <c>_error</c> queues (where a message lands after its
/// last retry): counts them with a passive queue declare (a queue not declared yet holds nothing) and moves
/// messages back for ops. One AMQP connection, opened on first use, beside MassTransit's own.
/// </summary>
public sealed class ErrorQueues(IConfiguration configuration) : IAsyncDisposable
{
    public const string Suffix = "_error";

    private readonly ConcurrentDictionary<string, bool> _endpoints = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private IConnection? _connection;

    /// <summary>The receive endpoints (queues) this service consumes from, as MassTransit configured them.</summary>
    public IReadOnlyCollection<string> Endpoints => [.. _endpoints.Keys.Order(StringComparer.Ordinal)];

    internal void Add(string endpoint) => _endpoints.TryAdd(endpoint, true);

    public bool Owns(string endpoint) => _endpoints.ContainsKey(endpoint);

    /// <summary>Messages waiting in each endpoint's error queue.</summary>
    public async Task<IReadOnlyDictionary<string, uint>> CountAsync(CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, uint>(StringComparer.Ordinal);
        var connection = await ConnectionAsync(cancellationToken);
        foreach (var endpoint in Endpoints)
        {
            // A passive declare of a missing queue closes the channel (404): one channel per queue.
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            try
            {
                counts[endpoint] = (await channel.QueueDeclarePassiveAsync(endpoint + Suffix, cancellationToken)).MessageCount;
            }
            catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
            {
                counts[endpoint] = 0;
            }
        }

        return counts;
    }

    /// <summary>Moves every message now in <paramref name="endpoint"/>'s error queue back to the endpoint; returns how many.</summary>
    public async Task<int> ReplayAsync(string endpoint, CancellationToken cancellationToken)
    {
        var connection = await ConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), cancellationToken);
        var waiting = (await channel.QueueDeclarePassiveAsync(endpoint + Suffix, cancellationToken)).MessageCount;
        var moved = 0;
        // Only what was there when ops asked: a message that fails again comes back to the error queue, not round again.
        while (moved < waiting && await channel.BasicGetAsync(endpoint + Suffix, autoAck: false, cancellationToken) is { } message)
        {
            await channel.BasicPublishAsync("", endpoint, mandatory: true, new BasicProperties(message.BasicProperties), message.Body, cancellationToken);
            await channel.BasicAckAsync(message.DeliveryTag, multiple: false, cancellationToken);
            moved++;
        }

        return moved;
    }

    private async Task<IConnection> ConnectionAsync(CancellationToken cancellationToken)
    {
        if (_connection is { IsOpen: true } open)
        {
            return open;
        }

        await _connecting.WaitAsync(cancellationToken);
        try
        {
            if (_connection is { IsOpen: true } raced)
            {
                return raced;
            }

            if (_connection is not null)
            {
                await _connection.DisposeAsync();
            }

            var factory = new ConnectionFactory { Uri = PortalMessagingExtensions.BrokerAddress(configuration), ClientProvidedName = "error-queue-monitor" };
            _connection = await factory.CreateConnectionAsync(cancellationToken);
            return _connection;
        }
        finally
        {
            _connecting.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        _connecting.Dispose();
    }
}

/// <summary>Degraded (the service still serves) while any of the service's error queues holds a message.</summary>
internal sealed class ErrorQueueHealthCheck(ErrorQueues errorQueues) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        IReadOnlyDictionary<string, uint> counts;
        try
        {
            counts = await errorQueues.CountAsync(timeout.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Degraded("error queues unknown: " + ex.GetType().Name);
        }

        var failed = counts.Where(c => c.Value > 0).Select(c => $"{c.Key}{ErrorQueues.Suffix}: {c.Value}").ToList();
        return failed.Count == 0
            ? HealthCheckResult.Healthy($"{counts.Count} error queue(s) empty")
            : HealthCheckResult.Degraded("messages in error queues: " + string.Join(", ", failed));
    }
}

/// <summary>
/// Gauge <c>portal.messaging.error_queue.messages</c> (meter <c>PortalPlatform.Messaging</c>), one series per
/// endpoint, read every <see cref="PortalMessagingOptions.ErrorQueueInterval"/>.
/// </summary>
internal sealed class ErrorQueueMetrics : BackgroundService
{
    public const string MeterName = "PortalPlatform.Messaging";

    private readonly ErrorQueues _errorQueues;
    private readonly IOptions<PortalMessagingOptions> _options;
    private readonly ILogger<ErrorQueueMetrics> _logger;
    private volatile IReadOnlyDictionary<string, uint> _latest = new Dictionary<string, uint>();

    public ErrorQueueMetrics(IMeterFactory meters, ErrorQueues errorQueues, IOptions<PortalMessagingOptions> options, ILogger<ErrorQueueMetrics> logger)
    {
        _errorQueues = errorQueues;
        _options = options;
        _logger = logger;
        meters.Create(MeterName).CreateObservableGauge(
            "portal.messaging.error_queue.messages",
            () => _latest.Select(c => new Measurement<long>(c.Value, new KeyValuePair<string, object?>("queue", c.Key + ErrorQueues.Suffix))),
            "{message}",
            "Messages in the service's MassTransit error queues (failed after every retry)");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Value.ErrorQueueInterval);
        do
        {
            try
            {
                _latest = await _errorQueues.CountAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                _logger.LogDebug("Counting error queues failed: {Failure}", ex.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
