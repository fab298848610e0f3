using System.ComponentModel.DataAnnotations;

namespace PortalPlatform.IdentityVerification;

/// <summary>Registrations and identity checks (section <c>Registration</c>).</summary>
public sealed class RegistrationOptions
{
    public const string Section = "Registration";

    /// <summary>Only for Development and Testing; every other environment must set Registration:TokenKey.</summary>
    public const string DevelopmentTokenKey = "portalplatform-development-registration-key-not-for-production";

    /// <summary>HMAC key from which tokens, one-time codes and access codes are derived. At least 32 characters.</summary>
    [Required, MinLength(32)]
    public string TokenKey { get; set; } = "";

    [Range(1, 20)]
    public int MaxFailedChecks { get; set; } = 5;

    public TimeSpan OneTimeCodeLifetime { get; set; } = TimeSpan.FromMinutes(10);

    [Range(1, 20)]
    public int MaxOneTimeCodes { get; set; } = 5;

    /// <summary>The least time between two texted codes for one registration.</summary>
    public TimeSpan OneTimeCodeResendInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long after a successful identity check the account may be set up.</summary>
    public TimeSpan CompletionWindow { get; set; } = TimeSpan.FromMinutes(30);
}

/// <summary>Where patients reach the portal (section <c>Portal</c>).</summary>
public sealed class PortalOptions
{
    public const string Section = "Portal";

    /// <summary>The gateway's public URL; registration links start with it. The AppHost sets Portal__PublicBaseUrl.</summary>
    [Required, Url]
    public string PublicBaseUrl { get; set; } = "http://localhost:8080";
}

/// <summary>Patient sign-in tokens and throttling (section <c>PatientAuth</c>).</summary>
public sealed class PatientAuthOptions
{
    public const string Section = "PatientAuth";

    /// <summary>Only for Development and Testing; every other environment must set PatientAuth:SigningKey.</summary>
    public const string DevelopmentSigningKey = "portalplatform-development-patient-signing-key-not-for-production";

    [Required]
    public string Issuer { get; set; } = "portalplatform-identity";

    [Required]
    public string Audience { get; set; } = "portalplatform-patient";

    [Required, MinLength(32)]
    public string SigningKey { get; set; } = "";

    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Failed sign-ins per username within <see cref="FailureWindow"/> before further attempts get 429.</summary>
    [Range(1, 100)]
    public int MaxFailedSignIns { get; set; } = 5;

    public TimeSpan FailureWindow { get; set; } = TimeSpan.FromMinutes(15);

    [Range(8, 64)]
    public int MinimumPasswordLength { get; set; } = 8;
}

/// <summary>Per client address limit on the anonymous patient endpoints (section <c>PatientRateLimit</c>).</summary>
public sealed class PatientRateLimitOptions
{
    public const string Section = "PatientRateLimit";

    /// <summary>Loose on purpose: a clinic's patients share one address. Guessing is bounded per registration and per username.</summary>
    [Range(1, 100_000)]
    public int PermitLimit { get; set; } = 600;

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}
