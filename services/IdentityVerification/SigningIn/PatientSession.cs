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
