namespace PortalPlatform.Contracts;

// Integration events published by the Enrollment service. Schema version 1.
// No contact details, tokens or codes travel here: subscribers get ids, times and states.

/// <summary>An invitation (or re-invitation) to the portal was issued. Any earlier pending invitation is void.</summary>
/// <param name="InvitationId">The new invitation.</param>
/// <param name="ExpiresAt">When the invitation lapses unused.</param>
/// <param name="IsReinvite">True when it follows a revocation, expiry or lock-out.</param>
/// <param name="ReplacesInvitationId">The invitation this one voids, if any.</param>
/// <param name="IssuedBy">Staff user id, or "auto-invite".</param>
public sealed record InviteIssued(
    Guid EventId, Guid PracticeId, string PatientId, DateTimeOffset OccurredAt,
    Guid InvitationId, DateTimeOffset ExpiresAt, bool IsReinvite, Guid? ReplacesInvitationId, string IssuedBy,
    int SchemaVersion = 1) : IIntegrationEvent;

/// <summary>A pending invitation was cancelled by staff.</summary>
public sealed record InviteCancelled(
    Guid EventId, Guid PracticeId, string PatientId, DateTimeOffset OccurredAt,
    Guid InvitationId, string CancelledBy,
    int SchemaVersion = 1) : IIntegrationEvent;

/// <summary>An invitation passed its lifetime unused.</summary>
public sealed record InviteExpired(
    Guid EventId, Guid PracticeId, string PatientId, DateTimeOffset OccurredAt,
    Guid InvitationId,
    int SchemaVersion = 1) : IIntegrationEvent;

/// <summary>Staff revoked the patient's portal access. The free-text note stays inside Enrollment.</summary>
/// <param name="Harm">For PreventingHarm: the deciding clinician, the basis and the scope (added in schema version 1, null otherwise).</param>
/// <param name="VoidedInvitationId">The invitation that was pending and is void now, if any (added in schema version 1).</param>
public sealed record AccessRevoked(
    Guid EventId, Guid PracticeId, string PatientId, DateTimeOffset OccurredAt,
    RevocationReason Reason, string RevokedBy,
    int SchemaVersion = 1, HarmDetermination? Harm = null, Guid? VoidedInvitationId = null) : IIntegrationEvent;

/// <summary>A caregiver was given proxy access to the patient's record.</summary>
public sealed record ProxyAccessGranted(
    Guid EventId, Guid PracticeId, string PatientId, DateTimeOffset OccurredAt,
    Guid ProxyId, string Relationship, string GrantedBy,
    int SchemaVersion = 1) : IIntegrationEvent;

/// <summary>A caregiver's proxy access was withdrawn.</summary>
/// <param name="VoidedInvitationId">The caregiver's invitation, when it had not been taken up yet: it is void now.</param>
public sealed record ProxyAccessRevoked(
    Guid EventId, Guid PracticeId, string PatientId, DateTimeOffset OccurredAt,
    Guid ProxyId, string RevokedBy,
    int SchemaVersion = 1, Guid? VoidedInvitationId = null) : IIntegrationEvent;

/// <summary>The patient's portal status changed; <paramref name="Version"/> is the stream version after the change.</summary>
public sealed record PortalStatusChanged(
    Guid EventId, Guid PracticeId, string PatientId, DateTimeOffset OccurredAt,
    PortalStatus PreviousStatus, PortalStatus Status, long Version,
    int SchemaVersion = 1) : IIntegrationEvent;
