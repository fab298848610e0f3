using PortalPlatform.Contracts;

namespace PortalPlatform.IdentityVerification.Registrations;

// The events of a registration stream, stored in this service only. They hold no secret: the token is stored as its
// SHA-256 hash, codes are derived again from the key when needed.

/// <summary>A registration was opened for an invitation; the link goes to the patient through Notification.</summary>
public sealed record RegistrationOpened(
    Guid RegistrationId, Guid PracticeId, string PatientId, Guid InvitationId, string TokenHash,
    DateTimeOffset OpenedAt, DateTimeOffset ExpiresAt, string PracticeName, string FirstName, DateOnly DateOfBirth,
    string? Email, string? Phone, InvitationTemplate Template, Guid? ProxyId);

/// <summary>One-time code number <paramref name="Sequence"/> was texted to the phone on file.</summary>
public sealed record OneTimeCodeSent(
    Guid RegistrationId, Guid PracticeId, string PatientId, int Sequence, string PracticeName, string Phone,
    DateTimeOffset SentAt, DateTimeOffset ExpiresAt);

/// <summary>An identity check failed (the reason is deliberately not kept apart: it is never told).</summary>
public sealed record IdentityCheckFailed(Guid RegistrationId, int FailedChecks, DateTimeOffset FailedAt);

/// <summary>Too many failed checks: the registration stays locked until staff re-invite.</summary>
public sealed record RegistrationLocked(
    Guid RegistrationId, Guid PracticeId, string PatientId, Guid InvitationId, int FailedChecks, DateTimeOffset LockedAt);

/// <summary>The patient proved who they are.</summary>
public sealed record IdentityConfirmed(
    Guid RegistrationId, Guid PracticeId, string PatientId, Guid InvitationId, VerificationMethod Method, DateTimeOffset ConfirmedAt);

/// <summary>The patient set up (or linked) their account; the token is used up.</summary>
public sealed record AccountSetUp(
    Guid RegistrationId, Guid PracticeId, string PatientId, Guid InvitationId, Guid AccountId, bool LinkedExistingAccount,
    DateTimeOffset CompletedAt);

/// <summary>The registration can no longer be used: re-invited, cancelled, expired or access revoked.</summary>
public sealed record RegistrationVoided(Guid RegistrationId, string Reason, DateTimeOffset VoidedAt);
