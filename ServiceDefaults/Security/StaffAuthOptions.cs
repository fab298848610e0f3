using System.ComponentModel.DataAnnotations;

namespace PortalPlatform.ServiceDefaults.Security;

/// <summary>
/// Where staff tokens come from (section <c>Auth</c>). Services hold no signing key: they validate against the
/// keys the issuer publishes (OpenID Connect discovery and JWKS under <see cref="Authority"/>), so a real identity
/// provider is configured by its Authority alone.
/// </summary>
public sealed class StaffAuthOptions
{
    public const string Section = "Auth";

    /// <summary>
    /// The token issuer's base address (its <c>/.well-known/openid-configuration</c>). In Development and Testing it
    /// defaults to the gateway's address from service discovery (<c>services:gateway:http:0</c>), whose Development
    /// issuer publishes its keys; every other environment must set it (https). Empty counts as not set.
    /// </summary>
    public string? Authority { get; set; }

    [Required]
    public string Audience { get; set; } = "portalplatform";
}
