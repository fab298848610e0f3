using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.PortalAccess;
using AccessRevoked = PortalPlatform.Enrollment.Revoking.AccessRevoked;
using RegistrationCompleted = PortalPlatform.Enrollment.Registering.RegistrationCompleted;

namespace PortalPlatform.Enrollment.AccessRequests;

/// <summary>The request the practice has not answered yet (at most one per patient).</summary>
public sealed record OpenAccessRequest(Guid RequestId, AccessRequestKind Kind, AccessRequestProof Proof, DateTimeOffset RequestedAt, string? RevokedBy);

/// <summary>The latest revocation, as far as a review request needs it.</summary>
public sealed record Revocation(RevocationReason Reason, string RevokedBy, HarmDetermination? Harm);

/// <summary>Folds the access-request part of <see cref="PortalAccessState"/> (called by <see cref="PortalAccessState.After"/>).</summary>
public static class AccessRequestFold
{
    public static PortalAccessState After(PortalAccessState state, object @event) => @event switch
    {
        AccessRequested e => state with { OpenAccessRequest = new OpenAccessRequest(e.RequestId, e.Kind, e.Proof, e.RequestedAt, e.RevokedBy) },
        AccessRequestDeclined or AccessRequestApproved or RegistrationCompleted => state with { OpenAccessRequest = null },
        AccessRevoked e => state with { OpenAccessRequest = null, LastRevocation = new Revocation(e.Reason, e.RevokedBy, e.Harm) },
        _ => state,
    };
}
