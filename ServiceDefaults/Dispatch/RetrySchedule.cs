namespace PortalPlatform.ServiceDefaults.Dispatch;

/// <summary>
/// Exponential back-off with jitter between stored attempts. It lives in the delivery's state (next-attempt time in
/// PostgreSQL), not in an in-memory retry loop, so a retry survives a restart of the service.
/// </summary>
public sealed class RetrySchedule(int maxAttempts, TimeSpan firstDelay, TimeSpan maxDelay, Func<double> random)
{
    public int MaxAttempts { get; } = maxAttempts;

    /// <summary>Delay after the given failed attempt (1-based): half of min(max, first * 2^(n-1)) fixed, half random.</summary>
    public TimeSpan DelayAfter(int attempt)
    {
        var exponential = firstDelay.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        var capped = Math.Min(exponential, maxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped / 2 + random() * capped / 2);
    }
}
