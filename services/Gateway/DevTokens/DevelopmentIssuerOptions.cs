using System.ComponentModel.DataAnnotations;

namespace PortalPlatform.Gateway.DevTokens;

/// <summary>The gateway's Development-only staff token issuer (section <c>DevTokens</c>).</summary>
public sealed class DevelopmentIssuerOptions
{
    public const string Section = "DevTokens";

    /// <summary>The <c>iss</c> of the tokens and of the discovery document.</summary>
    [Required]
    public string Issuer { get; set; } = "portalplatform-dev";

    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>
    /// The ECDSA P-256 private key (PKCS#8 or SEC1 PEM). Give every gateway replica the same one (the AppHost's job);
    /// when empty, each start makes a fresh key in memory only: nothing secret on disk, and tokens of an earlier
    /// run are refused, so staff sign in again.
    /// </summary>
    public string? SigningKeyPem { get; set; }

    /// <summary>The demo practice's staff the sign-in page offers to pick from.</summary>
    public List<DemoStaffMember> Staff { get; set; } = [];
}

/// <summary>One staff member the Development sign-in page lists.</summary>
public sealed record DemoStaffMember(Guid PracticeId, string PracticeName, string UserId, string Name, string Role);
