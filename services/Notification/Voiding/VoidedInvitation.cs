namespace PortalPlatform.Notification.Voiding;

/// <summary>
/// An invitation that must not be delivered any more (its id is the invitation's). Kept, not just applied to the
/// deliveries there are: the void may arrive before the command that would queue them (the two come by different
/// queues), and the dispatcher checks it again right before each attempt.
/// </summary>
/// <param name="How">"cancelled", "expired", "replaced by a newer invitation", "voided by the revocation of access".</param>
public sealed record VoidedInvitation(Guid Id, string How, DateTimeOffset VoidedAt);
