using PortalPlatform.Contracts;
using PortalPlatform.ServiceDefaults.Dispatch;

namespace PortalPlatform.Notification.Deliveries;

public enum DeliveryState
{
    Queued,
    Sending,
    Sent,
    Failed,
    Bounced,
    Cancelled,
}

/// <summary>How one send attempt ended, as the email or SMS sender reports it.</summary>
public sealed record SendOutcome(bool Accepted, bool Permanent, string Detail)
{
    public static SendOutcome Success(string providerMessageId) => new(true, false, providerMessageId);

    public static SendOutcome PermanentFailure(string reason) => new(false, true, reason);

    public static SendOutcome TransientFailure(string reason) => new(false, false, reason);
}

/// <summary>
/// One message on one channel: the state the service owns, rebuilt from the delivery's events (and kept as a
/// Marten snapshot for the staff API and the sender's queries). Decisions are pure functions of this state.
/// </summary>
public sealed class Delivery
{
    public Guid Id { get; set; }
    public int Version { get; set; }
    public Guid CommandId { get; set; }
    public Guid PracticeId { get; set; }
    public string PatientId { get; set; } = "";
    public Guid? InvitationId { get; set; }
    public MessageKind Kind { get; set; }
    public DeliveryChannel Channel { get; set; }
    public string MaskedAddress { get; set; } = "";
    public DeliveryState State { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    public bool PermanentFailure { get; set; }
    public string? ProviderMessageId { get; set; }
    public DateTimeOffset QueuedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }

    /// <summary>When the sender may (re)try: the next attempt's time while queued, the lease's end while sending.</summary>
    public DateTimeOffset DueAt { get; set; }

    /// <summary>When the link or code the message carries stops working; nothing is sent after it.</summary>
    public DateTimeOffset? ValidUntil { get; set; }

    public DeliveryTarget Target => new(PracticeId, PatientId, InvitationId, Kind, Channel);

    public bool IsFinal => State is DeliveryState.Sent or DeliveryState.Failed or DeliveryState.Bounced or DeliveryState.Cancelled;

    public static Delivery Create(DeliveryQueued queued) => new()
    {
        Id = queued.DeliveryId,
        CommandId = queued.CommandId,
        PracticeId = queued.Target.PracticeId,
        PatientId = queued.Target.PatientId,
        InvitationId = queued.Target.InvitationId,
        Kind = queued.Target.Kind,
        Channel = queued.Target.Channel,
        MaskedAddress = queued.MaskedAddress,
        State = DeliveryState.Queued,
        QueuedAt = queued.QueuedAt,
        UpdatedAt = queued.QueuedAt,
        DueAt = queued.QueuedAt,
        ValidUntil = queued.ValidUntil,
    };

    public void Apply(DeliveryAttemptStarted started)
    {
        State = DeliveryState.Sending;
        Attempts = started.Attempt;
        DueAt = started.LeaseUntil;
        UpdatedAt = started.StartedAt;
    }

    public void Apply(DeliveryAttemptFailed failed)
    {
        State = DeliveryState.Queued;
        LastError = failed.Reason;
        DueAt = failed.NextAttemptAt;
        UpdatedAt = failed.FailedAt;
    }

    public void Apply(DeliverySent sent)
    {
        State = DeliveryState.Sent;
        ProviderMessageId = sent.ProviderMessageId;
        SentAt = sent.SentAt;
        UpdatedAt = sent.SentAt;
    }

    public void Apply(DeliveryFailed failed)
    {
        State = DeliveryState.Failed;
        LastError = failed.Reason;
        PermanentFailure = failed.Permanent;
        UpdatedAt = failed.FailedAt;
    }

    public void Apply(DeliveryBounced bounced)
    {
        State = DeliveryState.Bounced;
        LastError = bounced.Reason;
        PermanentFailure = true;
        UpdatedAt = bounced.BouncedAt;
    }

    public void Apply(DeliveryCancelled cancelled)
    {
        State = DeliveryState.Cancelled;
        LastError = cancelled.Reason;
        UpdatedAt = cancelled.CancelledAt;
    }

    /// <summary>
    /// Drops a delivery that must not be sent any more: its invitation was voided (<paramref name="invitationVoided"/>
    /// says how), or what it carries has expired. Null while it may still go out, and once it is final. A delivery
    /// being sent right now is left to finish: its next attempt, if any, is dropped.
    /// </summary>
    public DeliveryCancelled? Drop(DateTimeOffset now, string? invitationVoided)
    {
        if (IsFinal || State == DeliveryState.Sending && DueAt > now)
        {
            return null;
        }

        return invitationVoided is not null ? new DeliveryCancelled(Target, $"the invitation was {invitationVoided}", now)
            : ValidUntil <= now ? new DeliveryCancelled(Target, "expired before it could be sent", now)
            : null;
    }

    /// <summary>
    /// Claims the next attempt: a queued delivery whose time has come, or one whose sender vanished mid-send (its
    /// lease ran out: the process was killed). Null when there is nothing to send now.
    /// </summary>
    public DeliveryAttemptStarted? Claim(DateTimeOffset now, TimeSpan lease) =>
        State is DeliveryState.Queued or DeliveryState.Sending && DueAt <= now
            ? new DeliveryAttemptStarted(Attempts + 1, now, now + lease)
            : null;

    /// <summary>What the attempt's outcome means: sent, retried later, or given up.</summary>
    public object Conclude(SendOutcome outcome, DateTimeOffset now, RetrySchedule schedule)
    {
        if (outcome.Accepted)
        {
            return new DeliverySent(Target, Attempts, outcome.Detail, now);
        }

        if (outcome.Permanent)
        {
            return new DeliveryFailed(Target, Attempts, outcome.Detail, Permanent: true, now);
        }

        if (Attempts >= schedule.MaxAttempts)
        {
            return new DeliveryFailed(Target, Attempts, $"gave up after {Attempts} attempts: {outcome.Detail}", Permanent: false, now);
        }

        return new DeliveryAttemptFailed(Attempts, outcome.Detail, now, now + schedule.DelayAfter(Attempts));
    }
}
