using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.PortalAccess;

namespace PortalPlatform.Enrollment.AccessRequests;

// The events of the way back (issue 15), on the patient's portal-access stream beside the others.

/// <summary>The patient proved who they are (through Identity-Verification) and asked the practice for access back.</summary>
/// <param name="RevokedBy">For a review request: who revoked, so the review goes to someone else.</param>
public sealed record AccessRequested(
    Guid PracticeId, string PatientId, Guid RequestId, AccessRequestKind Kind, AccessRequestProof Proof, Guid? InvitationId,
    string? RevokedBy, DateTimeOffset RequestedAt) : IPortalAccessEvent;

/// <summary>Staff declined the open request with a reason (kept here); the contact details are for telling the patient.</summary>
public sealed record AccessRequestDeclined(
    Guid PracticeId, string PatientId, Guid RequestId, AccessRequestKind Kind, string Reason, string DeclinedBy, string DeclinedByRole,
    DateTimeOffset DeclinedAt, string PracticeName, string FirstName, string? Email, string? Phone) : IPortalAccessEvent;

/// <summary>An invitation was issued while the request was open: that answers it.</summary>
public sealed record AccessRequestApproved(
    Guid PracticeId, string PatientId, Guid RequestId, AccessRequestKind Kind, Guid InvitationId, string ApprovedBy,
    DateTimeOffset ApprovedAt) : IPortalAccessEvent;
