namespace PortalPlatform.Contracts;

/// <summary>
/// Queue names of the point-to-point commands. Each command has exactly one consumer, in the service that owns it.
/// Secrets and contact details travel only here, never on broadcast events.
/// </summary>
public static class CommandQueues
{
    public const string CreateRegistration = "identity-verification.create-registration";
    public const string DeliverInvitation = "notification.deliver-invitation";
    public const string DeliverOneTimeCode = "notification.deliver-one-time-code";
    public const string RequestAccess = "enrollment.request-access";
    public const string DeliverAccessRequestDeclined = "notification.deliver-access-request-declined";
}

/// <summary>Enrollment to Identity-Verification: open a registration for a new invitation (voids the patient's earlier ones).</summary>
/// <param name="Template">Invitation, Reinvitation or ProxyInvitation.</param>
/// <param name="ProxyId">The caregiver, when <paramref name="Template"/> is ProxyInvitation.</param>
public sealed record CreateRegistration(
    Guid CommandId, Guid PracticeId, string PatientId, Guid InvitationId, DateTimeOffset ExpiresAt,
    string PracticeName, string FirstName, DateOnly DateOfBirth, string? Email, string? Phone,
    InvitationTemplate Template, Guid? ProxyId) : IPortalCommand;

/// <summary>Identity-Verification to Notification: deliver the invitation link by email and/or text.</summary>
/// <param name="SealedRegistrationLink">The link, sealed for Notification (ServiceDefaults' CommandSecrets, bound to CommandId): never in clear on the broker or in an error queue.</param>
public sealed record DeliverInvitation(
    Guid CommandId, Guid PracticeId, string PatientId, Guid InvitationId,
    string PracticeName, string FirstName, string? Email, string? Phone,
    string SealedRegistrationLink, DateTimeOffset ExpiresAt, InvitationTemplate Template) : IPortalCommand;

/// <summary>Identity-Verification to Notification: text a one-time code to the phone on file.</summary>
/// <param name="SealedCode">The code, sealed like <see cref="DeliverInvitation.SealedRegistrationLink"/>.</param>
public sealed record DeliverOneTimeCode(
    Guid CommandId, Guid PracticeId, string PatientId, Guid RegistrationId,
    string PracticeName, string Phone, string SealedCode, DateTimeOffset ExpiresAt) : IPortalCommand;
