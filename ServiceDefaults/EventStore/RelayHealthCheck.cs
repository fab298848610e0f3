using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace PortalPlatform.ServiceDefaults.EventStore;

/// <summary>
/// Degraded (the service still serves) while a message is parked or the outbox is behind by more than
/// <see cref="RelayOptions.DegradedLagAge"/>; the database's own check says when it is down.
/// </summary>
internal sealed class RelayHealthCheck(RelayStatusReader reader, IOptions<RelayOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        RelayStatus status;
        try
        {
            status = await reader.ReadAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Degraded("outbox state unknown: " + ex.GetType().Name);
        }

        if (status.Parked > 0)
        {
            return HealthCheckResult.Degraded($"{status.Parked} parked message(s), see {ParkedMessageEndpoints.Path}");
        }

        if (status.LagAge > options.Value.DegradedLagAge)
        {
            return HealthCheckResult.Degraded($"{status.Lag} event(s) not yet published, the oldest {status.LagAge.TotalSeconds:F0} s old");
        }

        return HealthCheckResult.Healthy($"{status.Lag} event(s) waiting");
    }
}
