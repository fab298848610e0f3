using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PortalPlatform.ServiceDefaults.EventStore;

/// <summary>
/// Gauges of the outbox (meter <c>PortalPlatform.Relay</c>): lag in events and seconds, and parked messages,
/// read from the database every <see cref="RelayOptions.MetricsInterval"/> (a gauge callback must not block on I/O).
/// </summary>
internal sealed class RelayMetrics : BackgroundService
{
    public const string MeterName = "PortalPlatform.Relay";

    private readonly RelayStatusReader _reader;
    private readonly IOptions<RelayOptions> _options;
    private readonly ILogger<RelayMetrics> _logger;
    private volatile RelayStatus _latest = RelayStatus.Unknown;

    public RelayMetrics(IMeterFactory meters, RelayStatusReader reader, IOptions<RelayOptions> options, ILogger<RelayMetrics> logger)
    {
        _reader = reader;
        _options = options;
        _logger = logger;
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("portal.relay.lag", () => _latest.Lag, "{event}", "Committed events the outbox has not yet published");
        meter.CreateObservableGauge("portal.relay.lag.age", () => _latest.LagAge.TotalSeconds, "s", "Age of the oldest event the outbox has not yet published");
        meter.CreateObservableGauge("portal.relay.parked", () => _latest.Parked, "{message}", "Messages the outbox parked because they can never be published as they are");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Value.MetricsInterval);
        do
        {
            try
            {
                _latest = await _reader.ReadAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                _logger.LogDebug("Reading the outbox status failed: {Failure}", ex.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
