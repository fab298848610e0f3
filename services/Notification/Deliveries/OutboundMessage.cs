using PortalPlatform.Contracts;

namespace PortalPlatform.Notification.Deliveries;

/// <summary>
/// The rendered message and its real address, kept only until the delivery is final (it holds the registration
/// link or the code), then deleted. Same id as the delivery.
/// </summary>
public sealed record OutboundMessage(Guid Id, DeliveryChannel Channel, string To, string Subject, string Text, string? Html);
