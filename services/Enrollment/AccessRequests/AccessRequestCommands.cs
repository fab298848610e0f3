using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.PortalAccess;
using PortalPlatform.Enrollment.Settings;

namespace PortalPlatform.Enrollment.AccessRequests;

/// <summary>Identity-Verification verified the patient's proof; record the request (or, per the practice setting, renew the invitation).</summary>
/// <param name="RenewalInvitationId">The invitation an automatic renewal issues (derived from the command, so a redelivery decides the same).</param>
public sealed record RecordAccessRequest(
    Guid RequestId, AccessRequestProof Proof, Guid? InvitationId, Guid RenewalInvitationId, PracticePortalSettings Settings, DateTimeOffset Now)
    : PortalAccessCommand(Actor.IdentityVerification, Now);

public sealed record DeclineAccessRequest(Guid RequestId, string Reason, PracticePortalSettings Settings, Actor Actor, DateTimeOffset Now)
    : PortalAccessCommand(Actor, Now);

public static class AccessRequestActors
{
    /// <summary>The practice's automatic renewal of expired invitations.</summary>
    public static readonly Actor AutoRenewal = new("auto-renewal", Actor.SystemRole);
}
