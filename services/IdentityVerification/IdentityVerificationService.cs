namespace PortalPlatform.IdentityVerification;

/// <summary>Names the service; tests host it through this type (WebApplicationFactory&lt;IdentityVerificationService&gt;).</summary>
public sealed class IdentityVerificationService
{
    public const string Name = "identity-verification";
}
