namespace PortalPlatform.Contracts;

// The way back for patients (issue 15): requests to restore portal access, and what staff decide. Schema version 1.
// No token, password, date of birth, address or free-text reason travels on these.

/// <summary>What the patient asks for, as staff see it.</summary>
public enum AccessRequestKind
{
    /// <summary>A revoked patient asks the practice to restore access.</summary>
    Restore,

    /// <summary>A patient revoked for preventing harm asks for the decision to be reviewed (by a different provider).</summary>
    Review,

    /// <summary>A patient whose invitation expired, was used up or locked asks for a new one.</summary>
    Renewal,
}

/// <summary>How the patient proved who they are before asking.</summary>
public enum AccessRequestProof
{
    /// <summary>The old username and password of an account whose link to the practice was revoked.</summary>
    Credentials,

    /// <summary>An expired invitation link plus the date of birth.</summary>
    ExpiredInvitation,

    /// <summary>A used (or otherwise ended) invitation link plus the date of birth.</summary>
    UsedInvitation,
}

/// <summary>Identity-Verification to Enrollment: a patient proved who they are and asks the practice for access back.</summary>
/// <param name="InvitationId">The invitation whose link was presented, for the invitation proofs.</param>
public sealed record RequestAccess(
    Guid CommandId, Guid PracticeId, string PatientId, AccessRequestProof Proof, Guid? InvitationId, DateTimeOffset RequestedAt) : IPortalCommand;

/// <summary>Enrollment to Notification: tell the patient the practice declined their request (never the staff's reason).</summary>
public sealed record DeliverAccessRequestDeclined(
    Guid CommandId, Guid PracticeId, string PatientId, Guid RequestId, AccessRequestKind Kind,
    string PracticeName, string FirstName, string? Email, string? Phone) : IPortalCommand;

/// <summary>A patient asked the practice for portal access back; staff see it as an open request.</summary>
public sealed record AccessRequested(
    Guid EventId, Guid PracticeId, string PatientId, DateTimeOffset OccurredAt,
    Guid RequestId, AccessRequestKind Kind, AccessRequestProof Proof,
    int SchemaVersion = 1) : IIntegrationEvent;

/// <summary>A patient revoked for preventing harm asked for a review (published besides <see cref="AccessRequested"/>).</summary>
/// <param name="RevokedBy">The staff user who revoked; the review must be decided by another provider.</param>
public sealed record ReviewRequested(
    Guid EventId, Guid PracticeId, string PatientId, DateTimeOffset OccurredAt,
    Guid RequestId, string RevokedBy,
    int SchemaVersion = 1) : IIntegrationEvent;

/// <summary>Staff declined the request (their reason stays inside Enrollment); the patient is told by email.</summary>
public sealed record AccessRequestDeclined(
    Guid EventId, Guid PracticeId, string PatientId, DateTimeOffset OccurredAt,
    Guid RequestId, AccessRequestKind Kind, string DeclinedBy,
    int SchemaVersion = 1) : IIntegrationEvent;

/// <summary>An invitation was issued while the request was open, which answers it; the invitation email tells the patient.</summary>
/// <param name="ApprovedBy">Staff user id, or "auto-renewal" when the practice renews expired invitations automatically.</param>
public sealed record AccessRequestApproved(
    Guid EventId, Guid PracticeId, string PatientId, DateTimeOffset OccurredAt,
    Guid RequestId, AccessRequestKind Kind, Guid InvitationId, string ApprovedBy,
    int SchemaVersion = 1) : IIntegrationEvent;

/// <summary>45 CFR 171.201(d): the type of harm a harm-based denial of access rests on.</summary>
public enum HarmBasis
{
    /// <summary>(d)(3): access is reasonably likely to endanger the life or physical safety of the patient or another person.</summary>
    EndangersLifeOrSafety,

    /// <summary>(d)(1): the record references another person, and access is reasonably likely to cause that person substantial harm.</summary>
    SubstantialHarmToReferencedPerson,

    /// <summary>(d)(2): access by the patient's representative is reasonably likely to cause the patient or another person substantial harm.</summary>
    SubstantialHarmThroughRepresentative,
}

/// <summary>Whose access the harm-based determination denies.</summary>
public enum HarmScope
{
    Patient,
    Representative,
}

/// <summary>A licensed clinician's individual determination behind a PreventingHarm revocation (never the free-text note).</summary>
public sealed record HarmDetermination(string DecidingClinicianId, string DecidingClinicianName, HarmBasis Basis, HarmScope Scope);
