namespace PortalPlatform.Contracts;

// Integration events published by the Notification service. Schema version 1.

/// <summary>An invitation message was accepted by the mail server or the SMS provider.</summary>
public sealed record InviteDelivered(
    Guid EventId, Guid PracticeId, string PatientId, DateTimeOffset OccurredAt,
    Guid InvitationId, Guid DeliveryId, DeliveryChannel Channel,
    int SchemaVersion = 1) : IIntegrationEvent;

/// <summary>An invitation message could not be delivered on one channel.</summary>
/// <param name="Reason">What the provider said, without the address.</param>
/// <param name="Permanent">False when it will not be retried any more but a later attempt might work.</param>
public sealed record InviteDeliveryFailed(
    Guid EventId, Guid PracticeId, string PatientId, DateTimeOffset OccurredAt,
    Guid InvitationId, Guid DeliveryId, DeliveryChannel Channel, string Reason, bool Permanent,
    int SchemaVersion = 1) : IIntegrationEvent;
