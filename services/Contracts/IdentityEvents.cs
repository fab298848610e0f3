namespace PortalPlatform.Contracts;

// Integration events published by the Identity-Verification service. Schema version 1.

/// <summary>The patient proved their identity for an invitation.</summary>
public sealed record IdentityVerified(
    Guid EventId, Guid PracticeId, string PatientId, DateTimeOffset OccurredAt,
    Guid InvitationId, Guid RegistrationId, VerificationMethod Method,
    int SchemaVersion = 1) : IIntegrationEvent;

/// <summary>Too many failed identity checks: the registration is locked until staff re-invite.</summary>
public sealed record IdentityVerificationLocked(
    Guid EventId, Guid PracticeId, string PatientId, DateTimeOffset OccurredAt,
    Guid InvitationId, Guid RegistrationId, int FailedAttempts,
    int SchemaVersion = 1) : IIntegrationEvent;

/// <summary>The patient finished setting up (or linking) their account: they are enrolled.</summary>
public sealed record RegistrationCompleted(
    Guid EventId, Guid PracticeId, string PatientId, DateTimeOffset OccurredAt,
    Guid InvitationId, Guid RegistrationId, Guid AccountId, bool LinkedExistingAccount,
    int SchemaVersion = 1) : IIntegrationEvent;
