using PortalPlatform.Contracts;

namespace PortalPlatform.Notification.Deliveries;

// The events of one delivery stream (one message on one channel for one command). Stored in PostgreSQL only;
// InviteDelivered / InviteDeliveryFailed are derived from them by DeliveryEventMap. No address, link or code here.

/// <summary>What a delivery renders.</summary>
public enum MessageKind
{
    Invitation,
    Reinvitation,
    ProxyInvitation,
    OneTimeCode,
    AccessRequestDeclined,
}

/// <summary>Who a delivery is for; carried by every outcome so each event stands on its own.</summary>
public sealed record DeliveryTarget(Guid PracticeId, string PatientId, Guid? InvitationId, MessageKind Kind, DeliveryChannel Channel);

/// <param name="ValidUntil">When what the message carries (a registration link, a one-time code) stops working; not sent after that.</param>
public sealed record DeliveryQueued(
    Guid DeliveryId, Guid CommandId, DeliveryTarget Target, string MaskedAddress, DateTimeOffset QueuedAt, DateTimeOffset? ValidUntil = null);

/// <summary>A sender claimed the delivery until <paramref name="LeaseUntil"/>; after that another may take it over.</summary>
public sealed record DeliveryAttemptStarted(int Attempt, DateTimeOffset StartedAt, DateTimeOffset LeaseUntil);

/// <summary>A transient failure; the next attempt is due at <paramref name="NextAttemptAt"/>.</summary>
public sealed record DeliveryAttemptFailed(int Attempt, string Reason, DateTimeOffset FailedAt, DateTimeOffset NextAttemptAt);

/// <summary>The mail server or SMS provider accepted the message.</summary>
public sealed record DeliverySent(DeliveryTarget Target, int Attempt, string ProviderMessageId, DateTimeOffset SentAt);

/// <summary>Given up: refused for good (<paramref name="Permanent"/>) or out of attempts.</summary>
public sealed record DeliveryFailed(DeliveryTarget Target, int Attempt, string Reason, bool Permanent, DateTimeOffset FailedAt);

/// <summary>Accepted, then reported undeliverable by the provider later.</summary>
public sealed record DeliveryBounced(DeliveryTarget Target, string Reason, DateTimeOffset BouncedAt);

/// <summary>Dropped unsent: its invitation was voided (cancelled, expired, replaced, access revoked) or what it carries expired.</summary>
public sealed record DeliveryCancelled(DeliveryTarget Target, string Reason, DateTimeOffset CancelledAt);
