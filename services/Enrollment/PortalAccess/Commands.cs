using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Settings;

namespace PortalPlatform.Enrollment.PortalAccess;

/// <summary>Who asks: a staff member (role admin, provider or staff) or the service itself (role system).</summary>
public sealed record Actor(string Id, string Role)
{
    public const string SystemRole = "system";
    public static readonly Actor AutoInvite = new("auto-invite", SystemRole);
    public static readonly Actor ExpiryJob = new("invitation-expiry", SystemRole);
    public static readonly Actor IdentityVerification = new("identity-verification", SystemRole);
    public static readonly Actor Notification = new("notification", SystemRole);
    public static readonly Actor Ehr = new("ehr", SystemRole);

    public bool IsAdmin => Role == "admin";

    public bool MayRevoke => Role is "admin" or "provider";
}

public abstract record PortalAccessCommand(Actor Actor, DateTimeOffset Now);

public sealed record RecordDemographics(
    string FirstName, string LastName, DateOnly DateOfBirth, string? Email, string? Phone, Actor Actor, DateTimeOffset Now)
    : PortalAccessCommand(Actor, Now);

/// <summary>Invite or re-invite. Null email/phone means "use the demographics".</summary>
public sealed record InvitePatient(
    Guid InvitationId, string? Email, string? Phone, PracticePortalSettings Settings, Actor Actor, DateTimeOffset Now)
    : PortalAccessCommand(Actor, Now);

/// <summary>A provider signed an encounter: invite if the practice's auto-invite rule says so.</summary>
public sealed record AutoInvitePatient(Guid InvitationId, PracticePortalSettings Settings, DateTimeOffset Now)
    : PortalAccessCommand(Actor.AutoInvite, Now);

public sealed record CancelInvitation(Guid InvitationId, Actor Actor, DateTimeOffset Now) : PortalAccessCommand(Actor, Now);

/// <param name="Harm">Required for PreventingHarm, refused otherwise.</param>
public sealed record RevokeAccess(RevocationReason Reason, string? Note, Actor Actor, DateTimeOffset Now, HarmDetermination? Harm = null)
    : PortalAccessCommand(Actor, Now);

public sealed record ExpireInvitation(Guid InvitationId, DateTimeOffset Now) : PortalAccessCommand(Actor.ExpiryJob, Now);

public sealed record RecordDelivery(
    Guid InvitationId, Guid DeliveryId, DeliveryChannel Channel, bool Delivered, string? FailureReason, bool Permanent, DateTimeOffset Now)
    : PortalAccessCommand(Actor.Notification, Now);

public sealed record LockVerification(Guid InvitationId, int FailedAttempts, DateTimeOffset Now)
    : PortalAccessCommand(Actor.IdentityVerification, Now);

public sealed record CompleteRegistration(Guid InvitationId, Guid AccountId, DateTimeOffset Now)
    : PortalAccessCommand(Actor.IdentityVerification, Now);

public sealed record InviteProxy(
    Guid ProxyId, Guid InvitationId, string FirstName, string LastName, DateOnly DateOfBirth, string Relationship,
    string? Email, string? Phone, PracticePortalSettings Settings, Actor Actor, DateTimeOffset Now)
    : PortalAccessCommand(Actor, Now);

public sealed record RevokeProxy(Guid ProxyId, Actor Actor, DateTimeOffset Now) : PortalAccessCommand(Actor, Now);
