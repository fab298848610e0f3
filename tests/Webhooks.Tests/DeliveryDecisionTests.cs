using System.Net;
using PortalPlatform.ServiceDefaults.Dispatch;
using PortalPlatform.Webhooks.Deliveries;
using PortalPlatform.Webhooks.Inbound;
using PortalPlatform.Webhooks.Security;
using PortalPlatform.Webhooks.Subscriptions;

namespace PortalPlatform.Webhooks.Tests;

public sealed class DeliveryDecisionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 8, 0, 0, TimeSpan.Zero);
    private static readonly RetrySchedule Schedule = new(int.MaxValue, TimeSpan.FromSeconds(5), TimeSpan.FromHours(1), () => 0.5);
    private static readonly AttemptResult Refused = new(503, TimeSpan.FromMilliseconds(20), null, "busy");

    private static WebhookDelivery NewDelivery() =>
        WebhookDelivery.For(Guid.NewGuid(), new ReceivedEvent(Guid.NewGuid(), Guid.NewGuid(), "P-1", "t", T0, T0, "{}"), behindAnother: false);

    [Fact]
    public void A_failed_delivery_is_retried_with_growing_delays_for_the_whole_window_then_parked()
    {
        var delivery = NewDelivery();
        var now = T0;
        var delays = new List<TimeSpan>();
        while (delivery.State == WebhookDeliveryState.Pending)
        {
            Assert.True(delivery.Claim(now, TimeSpan.FromMinutes(1)));
            delivery.Conclude(Refused, now, now, Schedule, TimeSpan.FromHours(24));
            if (delivery.State == WebhookDeliveryState.Pending)
            {
                delays.Add(delivery.DueAt - now);
                now = delivery.DueAt;
            }
        }

        Assert.Equal(WebhookDeliveryState.Parked, delivery.State);
        Assert.True(now - T0 >= TimeSpan.FromHours(23), $"retried for {now - T0}");
        Assert.True(delays[1] > delays[0] && delays[2] > delays[1], "back-off grows");
        Assert.True(delays.Max() <= TimeSpan.FromHours(1));
        Assert.All(delivery.Attempts, a => Assert.Equal(503, a.StatusCode));
    }

    [Fact]
    public void A_claimed_delivery_is_not_due_again_until_its_lease_ends()
    {
        var delivery = NewDelivery();

        Assert.True(delivery.Claim(T0, TimeSpan.FromMinutes(1)));
        Assert.False(delivery.Claim(T0.AddSeconds(59), TimeSpan.FromMinutes(1)));
        Assert.True(delivery.Claim(T0.AddMinutes(1), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void A_parked_delivery_requeued_by_an_admin_waits_its_turn_then_is_sent_and_keeps_its_history()
    {
        var delivery = NewDelivery();
        delivery.Claim(T0, TimeSpan.FromMinutes(1));
        delivery.Conclude(Refused, T0, T0, Schedule, TimeSpan.FromSeconds(1));
        Assert.Equal(WebhookDeliveryState.Parked, delivery.State);

        delivery.Requeue(T0.AddDays(2));
        Assert.Equal(WebhookDeliveryState.Waiting, delivery.State);
        Assert.False(delivery.Claim(T0.AddDays(2), TimeSpan.FromMinutes(1)));
        delivery.Promote(T0.AddDays(2));

        Assert.True(delivery.Claim(T0.AddDays(2), TimeSpan.FromMinutes(1)));
        delivery.Conclude(new AttemptResult(204, TimeSpan.FromMilliseconds(5), null, null), T0.AddDays(2), T0.AddDays(2), Schedule, TimeSpan.FromHours(24));
        Assert.Equal(WebhookDeliveryState.Delivered, delivery.State);
        Assert.Equal(2, delivery.AttemptCount);
    }

    [Fact]
    public void A_subscription_is_disabled_only_after_failing_for_the_whole_period_and_a_success_resets_the_count()
    {
        var subscription = new Subscription { Enabled = true };
        var period = TimeSpan.FromDays(3);

        Assert.False(subscription.RecordOutcome(false, T0, period));
        Assert.False(subscription.RecordOutcome(false, T0.AddDays(2), period));
        Assert.False(subscription.RecordOutcome(true, T0.AddDays(2.5), period));
        Assert.False(subscription.RecordOutcome(false, T0.AddDays(3.1), period));
        Assert.True(subscription.Enabled);
        Assert.True(subscription.RecordOutcome(false, T0.AddDays(6.2), period));
        Assert.False(subscription.Enabled);
        Assert.NotNull(subscription.DisabledReason);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.0.0.1", true)]
    [InlineData("172.16.5.4", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("192.168.1.1", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fd12:3456::1", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("93.184.216.34", false)]
    [InlineData("2606:2800:220:1::1", false)]
    public void Internal_addresses_are_recognised(string address, bool isInternal)
    {
        Assert.Equal(isInternal, TargetPolicy.IsInternal(IPAddress.Parse(address)));
    }
}
