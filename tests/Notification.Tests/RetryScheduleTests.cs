using PortalPlatform.ServiceDefaults.Dispatch;

namespace PortalPlatform.Notification.Tests;

public sealed class RetryScheduleTests
{
    [Fact]
    public void Delays_double_per_attempt_with_the_jitter_in_the_upper_half()
    {
        var lowest = new RetrySchedule(10, TimeSpan.FromSeconds(10), TimeSpan.FromHours(1), () => 0.0);
        var highest = new RetrySchedule(10, TimeSpan.FromSeconds(10), TimeSpan.FromHours(1), () => 1.0);

        Assert.Equal(TimeSpan.FromSeconds(5), lowest.DelayAfter(1));
        Assert.Equal(TimeSpan.FromSeconds(10), highest.DelayAfter(1));
        Assert.Equal(TimeSpan.FromSeconds(20), lowest.DelayAfter(3));
        Assert.Equal(TimeSpan.FromSeconds(40), highest.DelayAfter(3));
    }

    [Fact]
    public void Delays_stop_growing_at_the_maximum()
    {
        var schedule = new RetrySchedule(50, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), () => 1.0);

        Assert.Equal(TimeSpan.FromMinutes(5), schedule.DelayAfter(40));
    }

    [Fact]
    public void Jitter_spreads_retries_of_messages_that_failed_together()
    {
        var random = new Random(7);
        var schedule = new RetrySchedule(10, TimeSpan.FromSeconds(10), TimeSpan.FromHours(1), random.NextDouble);

        var delays = Enumerable.Range(0, 20).Select(_ => schedule.DelayAfter(2)).Distinct().ToList();

        Assert.True(delays.Count > 15);
        Assert.All(delays, d => Assert.InRange(d, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20)));
    }
}
