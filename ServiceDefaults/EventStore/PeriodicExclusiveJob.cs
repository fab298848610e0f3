using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PortalPlatform.ServiceDefaults.EventStore;

/// <summary>
/// A job that runs a round every <see cref="Interval"/> on <see cref="TimeProvider"/> (tests move a fake clock), one
/// replica at a time: a round's work goes through <see cref="ExclusiveJobLock"/> under <see cref="Name"/> and is skipped while
/// another replica runs it. A round that fails is logged and tried again at the next interval.
/// </summary>
public abstract class PeriodicExclusiveJob(ExclusiveJobLock jobLock, TimeProvider clock, ILogger logger) : BackgroundService
{
    /// <summary>The job's lock name, the same on every replica.</summary>
    protected abstract string Name { get; }

    protected abstract TimeSpan Interval { get; }

    protected TimeProvider Clock => clock;

    protected ILogger Logger => logger;

    /// <summary>Runs <paramref name="work"/> now unless another replica runs this job; false when it was skipped.</summary>
    protected Task<bool> ExclusivelyAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken) =>
        jobLock.TryRunAsync(Name, work, cancellationToken);

    /// <summary>One scheduled round (its work goes through <see cref="ExclusivelyAsync"/>).</summary>
    protected abstract Task RoundAsync(CancellationToken cancellationToken);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RoundAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Job {Job} failed; retrying at the next interval ({Interval})", Name, Interval);
            }

            await Task.Delay(Interval, clock, stoppingToken);
        }
    }
}
