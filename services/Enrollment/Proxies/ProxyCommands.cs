using PortalPlatform.Enrollment.PortalAccess;
using PortalPlatform.Enrollment.Settings;

namespace PortalPlatform.Enrollment.Proxies;

/// <summary>A caregiver was invited to proxy access to the patient's record.</summary>
public sealed record ProxyInvited(
    Guid PracticeId, string PatientId, Guid ProxyId, Guid InvitationId, string FirstName, string LastName,
    DateOnly DateOfBirth, string Relationship, string? Email, string? Phone, string PracticeName,
    string InvitedBy, DateTimeOffset InvitedAt, DateTimeOffset ExpiresAt) : IPortalAccessEvent;

/// <summary>The caregiver completed registration: proxy access is granted.</summary>
public sealed record ProxyAccessGranted(
    Guid PracticeId, string PatientId, Guid ProxyId, Guid InvitationId, string Relationship, string GrantedBy,
    DateTimeOffset GrantedAt) : IPortalAccessEvent;

/// <summary>Staff withdrew a caregiver's proxy access (or its pending invitation, named in <paramref name="VoidedInvitationId"/>).</summary>
public sealed record ProxyAccessRevoked(
    Guid PracticeId, string PatientId, Guid ProxyId, string RevokedBy, DateTimeOffset RevokedAt, Guid? VoidedInvitationId = null) : IPortalAccessEvent
{
    /// <summary>Withdraws <paramref name="proxy"/>; an invitation not yet taken up is voided with it.</summary>
    public static ProxyAccessRevoked Of(PortalAccessState state, Proxy proxy, string revokedBy, DateTimeOffset now) =>
        new(state.PracticeId, state.PatientId, proxy.Id, revokedBy, now, proxy.Status == ProxyStatus.Invited ? proxy.InvitationId : null);
}

public sealed record InviteProxy(
    Guid ProxyId, Guid InvitationId, string FirstName, string LastName, DateOnly DateOfBirth, string Relationship,
    string? Email, string? Phone, PracticePortalSettings Settings, Actor Actor, DateTimeOffset Now)
    : PortalAccessCommand(Actor, Now)
{
    public override Decision Decide(PortalAccessState state)
    {
        if (state.Demographics is null)
        {
            return Decision.Reject(RejectionKind.NotFound, "No such patient.");
        }

        if (Settings.WhoCanInvite == WhoCanInvite.AdminsOnly && !Actor.IsAdmin)
        {
            return Decision.Reject(RejectionKind.Forbidden, "This practice lets only admins invite to the portal.");
        }

        if (Email is null && Phone is null)
        {
            return Decision.Reject(RejectionKind.Invalid, "A proxy invitation needs an email address or a phone number.", "email");
        }

        return Decision.Of(new ProxyInvited(
            state.PracticeId, state.PatientId, ProxyId, InvitationId, FirstName, LastName, DateOfBirth, Relationship,
            Email, Phone, Settings.PracticeName, Actor.Id, Now, Now.AddDays(Settings.InvitationLifetimeDays)));
    }
}

public sealed record RevokeProxy(Guid ProxyId, Actor Actor, DateTimeOffset Now) : PortalAccessCommand(Actor, Now)
{
    public override Decision Decide(PortalAccessState state)
    {
        if (!state.Proxies.TryGetValue(ProxyId, out var proxy))
        {
            return Decision.Reject(RejectionKind.NotFound, "No such proxy.");
        }

        if (!Actor.MayRevoke)
        {
            return Decision.Reject(RejectionKind.Forbidden, "Only admins and providers may revoke proxy access.");
        }

        return proxy.Status == ProxyStatus.Revoked
            ? Decision.Reject(RejectionKind.Conflict, "Proxy access is already revoked.")
            : Decision.Of(ProxyAccessRevoked.Of(state, proxy, Actor.Id, Now));
    }
}
