using Microsoft.Extensions.Time.Testing;
using PortalPlatform.Contracts;
using PortalPlatform.Notification.Deliveries;
using PortalPlatform.ServiceDefaults.Dispatch;

namespace PortalPlatform.Notification.Tests;

public sealed class DeliveryDecisionTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
    private readonly RetrySchedule _schedule = new(3, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(10), () => 0.5);

    private Delivery Queued() => Delivery.Create(new DeliveryQueued(
        Guid.NewGuid(), Guid.NewGuid(),
        new DeliveryTarget(Guid.NewGuid(), "P-1", Guid.NewGuid(), MessageKind.Invitation, DeliveryChannel.Email),
        "j***@example.com", _clock.GetUtcNow()));

    private Delivery Sending()
    {
        var delivery = Queued();
        delivery.Apply(delivery.Claim(_clock.GetUtcNow(), Lease)!);
        return delivery;
    }

    [Fact]
    public void A_queued_delivery_is_claimed_for_its_first_attempt()
    {
        var started = Queued().Claim(_clock.GetUtcNow(), Lease);

        Assert.NotNull(started);
        Assert.Equal(1, started.Attempt);
        Assert.Equal(_clock.GetUtcNow() + Lease, started.LeaseUntil);
    }

    [Fact]
    public void A_delivery_being_sent_is_not_claimed_again_before_its_lease_runs_out()
    {
        var delivery = Sending();

        _clock.Advance(Lease - TimeSpan.FromSeconds(1));
        Assert.Null(delivery.Claim(_clock.GetUtcNow(), Lease));

        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(2, delivery.Claim(_clock.GetUtcNow(), Lease)!.Attempt);
    }

    [Fact]
    public void A_transient_failure_schedules_the_next_attempt_and_keeps_the_reason()
    {
        var delivery = Sending();

        var failed = Assert.IsType<DeliveryAttemptFailed>(delivery.Conclude(SendOutcome.TransientFailure("SMTP 451"), _clock.GetUtcNow(), _schedule));
        delivery.Apply(failed);

        Assert.Equal(_clock.GetUtcNow() + _schedule.DelayAfter(1), failed.NextAttemptAt);
        Assert.Equal(DeliveryState.Queued, delivery.State);
        Assert.Equal("SMTP 451", delivery.LastError);
        Assert.Null(delivery.Claim(_clock.GetUtcNow(), Lease));
        _clock.Advance(_schedule.DelayAfter(1));
        Assert.NotNull(delivery.Claim(_clock.GetUtcNow(), Lease));
    }

    [Fact]
    public void A_permanent_refusal_fails_the_delivery_at_once()
    {
        var delivery = Sending();

        var failed = Assert.IsType<DeliveryFailed>(delivery.Conclude(SendOutcome.PermanentFailure("SMTP 550"), _clock.GetUtcNow(), _schedule));
        delivery.Apply(failed);

        Assert.True(failed.Permanent);
        Assert.Equal(1, failed.Attempt);
        Assert.Equal(DeliveryState.Failed, delivery.State);
        Assert.Null(delivery.Claim(_clock.GetUtcNow() + TimeSpan.FromDays(1), Lease));
    }

    [Fact]
    public void Transient_failures_give_up_after_the_last_attempt_as_not_permanent()
    {
        var delivery = Queued();
        object last = null!;
        for (var attempt = 1; attempt <= _schedule.MaxAttempts; attempt++)
        {
            _clock.Advance(TimeSpan.FromHours(1));
            delivery.Apply(delivery.Claim(_clock.GetUtcNow(), Lease)!);
            last = delivery.Conclude(SendOutcome.TransientFailure("connection refused"), _clock.GetUtcNow(), _schedule);
            if (last is DeliveryAttemptFailed retry)
            {
                delivery.Apply(retry);
            }
        }

        var failed = Assert.IsType<DeliveryFailed>(last);
        Assert.False(failed.Permanent);
        Assert.Equal(_schedule.MaxAttempts, failed.Attempt);
    }

    [Fact]
    public void An_accepted_message_is_sent_with_the_provider_id()
    {
        var delivery = Sending();

        var sent = Assert.IsType<DeliverySent>(delivery.Conclude(SendOutcome.Success("abc@portal"), _clock.GetUtcNow(), _schedule));
        delivery.Apply(sent);

        Assert.Equal(DeliveryState.Sent, delivery.State);
        Assert.Equal("abc@portal", delivery.ProviderMessageId);
        Assert.Null(delivery.Claim(_clock.GetUtcNow() + TimeSpan.FromDays(1), Lease));
    }
}
