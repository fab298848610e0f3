namespace PortalPlatform.IdentityVerification.SigningIn;

/// <summary>One signed-in session; a revocation ends it, and the token it was issued with stops being accepted.</summary>
public sealed class PatientSession
{
    public Guid Id { get; set; }
    public Guid AccountId { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
}

/// <summary>Failed sign-ins for one username in the current window (any username, existing or not, so it tells nothing).</summary>
public sealed class SignInFailures
{
    public string Id { get; set; } = "";
    public int Count { get; set; }
    public DateTimeOffset WindowStartedAt { get; set; }
}
