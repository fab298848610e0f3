using System.ComponentModel.DataAnnotations;

namespace PortalPlatform.ServiceDefaults.Security;

/// <summary>
/// How staff bearer tokens are validated (section <c>Auth</c>). The same values in every service, so each one
/// checks the token again behind the gateway. Point Issuer/Audience/SigningKey at your identity provider in production.
/// </summary>
public sealed class StaffAuthOptions
{
    public const string Section = "Auth";

    [Required]
    public string Issuer { get; set; } = "portalplatform-dev";

    [Required]
    public string Audience { get; set; } = "portalplatform";

    /// <summary>HMAC-SHA256 key, at least 32 bytes. Development has a default; other environments must set it.</summary>
    [Required, MinLength(32)]
    public string SigningKey { get; set; } = "";

    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(8);
}
