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

/// <summary>A command on one patient's portal access; each slice's command carries its own rule.</summary>
public abstract record PortalAccessCommand(Actor Actor, DateTimeOffset Now)
{
    /// <summary>The rule: a pure function from the current state to new events, or a refusal.</summary>
    public abstract Decision Decide(PortalAccessState state);
}
