using PortalPlatform.Contracts;

namespace PortalPlatform.Enrollment.PortalAccess;

// The events of a patient's portal-access stream (one stream per patient per practice), named for what happened.
// They stay inside Enrollment; IntegrationEvents.cs decides what leaves the service.

/// <summary>Every event of the stream says whose stream it is, so projections across patients and the outbox need nothing else.</summary>
public interface IPortalAccessEvent
{
    Guid PracticeId { get; }

    string PatientId { get; }
}

/// <summary>The EHR recorded (or changed) the patient's demographics; invitations default to them.</summary>
public sealed record DemographicsRecorded(
    Guid PracticeId, string PatientId, string FirstName, string LastName, DateOnly DateOfBirth,
    string? Email, string? Phone, string RecordedBy, DateTimeOffset RecordedAt) : IPortalAccessEvent;

/// <summary>An invitation was issued; any earlier pending invitation is void from now on.</summary>
public sealed record InvitationIssued(
    Guid PracticeId, string PatientId, Guid InvitationId, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt,
    string IssuedBy, string PracticeName, string FirstName, DateOnly DateOfBirth, string? Email, string? Phone,
    InvitationTemplate Template, Guid? ReplacesInvitationId, PortalStatus PreviousStatus) : IPortalAccessEvent;

/// <summary>Staff cancelled the pending invitation; the status goes back to what it was before the invitation.</summary>
public sealed record InvitationCancelled(
    Guid PracticeId, string PatientId, Guid InvitationId, string CancelledBy, DateTimeOffset CancelledAt,
    PortalStatus RestoredStatus) : IPortalAccessEvent;

/// <summary>The invitation's lifetime passed unused.</summary>
public sealed record InvitationExpired(
    Guid PracticeId, string PatientId, Guid InvitationId, DateTimeOffset ExpiredAt) : IPortalAccessEvent;

/// <summary>The mail server or SMS provider accepted the invitation on one channel.</summary>
public sealed record InvitationDelivered(
    Guid PracticeId, string PatientId, Guid InvitationId, Guid DeliveryId, DeliveryChannel Channel,
    DateTimeOffset DeliveredAt) : IPortalAccessEvent;

/// <summary>The invitation could not be delivered on one channel.</summary>
public sealed record InvitationDeliveryFailed(
    Guid PracticeId, string PatientId, Guid InvitationId, Guid DeliveryId, DeliveryChannel Channel,
    string Reason, bool Permanent, DateTimeOffset FailedAt) : IPortalAccessEvent;

/// <summary>Too many failed identity checks on the current invitation: locked until staff re-invite.</summary>
public sealed record VerificationLocked(
    Guid PracticeId, string PatientId, Guid InvitationId, int FailedAttempts, DateTimeOffset LockedAt) : IPortalAccessEvent;

/// <summary>The patient completed registration with the current invitation: enrolled.</summary>
public sealed record RegistrationCompleted(
    Guid PracticeId, string PatientId, Guid InvitationId, Guid AccountId, DateTimeOffset CompletedAt) : IPortalAccessEvent;

/// <summary>Staff revoked portal access. The note is for the practice only and never leaves the service; Harm is set for PreventingHarm.</summary>
public sealed record AccessRevoked(
    Guid PracticeId, string PatientId, RevocationReason Reason, string? Note, string RevokedBy, string RevokedByRole,
    DateTimeOffset RevokedAt, PortalStatus PreviousStatus, Guid? VoidedInvitationId, HarmDetermination? Harm = null) : IPortalAccessEvent;

/// <summary>A caregiver was invited to proxy access to the patient's record.</summary>
public sealed record ProxyInvited(
    Guid PracticeId, string PatientId, Guid ProxyId, Guid InvitationId, string FirstName, string LastName,
    DateOnly DateOfBirth, string Relationship, string? Email, string? Phone, string PracticeName,
    string InvitedBy, DateTimeOffset InvitedAt, DateTimeOffset ExpiresAt) : IPortalAccessEvent;

/// <summary>The caregiver completed registration: proxy access is granted.</summary>
public sealed record ProxyAccessGranted(
    Guid PracticeId, string PatientId, Guid ProxyId, Guid InvitationId, string Relationship, string GrantedBy,
    DateTimeOffset GrantedAt) : IPortalAccessEvent;

/// <summary>Staff withdrew a caregiver's proxy access (or its pending invitation).</summary>
public sealed record ProxyAccessRevoked(
    Guid PracticeId, string PatientId, Guid ProxyId, string RevokedBy, DateTimeOffset RevokedAt) : IPortalAccessEvent;
