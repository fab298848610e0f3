using System.ComponentModel.DataAnnotations;

namespace PortalPlatform.Gateway;

/// <summary>The gateway's own limits (section <c>Gateway</c>), bound and validated at start-up.</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>Largest request body the gateway accepts; larger ones get 413 before reaching a service.</summary>
    [Range(1024, 10 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Requests one client address may make to the anonymous patient endpoints per window. Loose on purpose: every
    /// patient of a clinic or hospital shares its address; guessing is bounded per registration and per username.
    /// </summary>
    [Range(1, 100_000)]
    public int PatientRequestsPerWindow { get; set; } = 600;

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan PatientRateLimitWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Requests one client address may make to the SMS status callback per window. A provider reports every text's
    /// progress (sent, delivered or undelivered) from a few addresses, so this is far above a practice's sending rate;
    /// it bounds what an unsigned flood costs Notification.
    /// </summary>
    [Range(1, 1_000_000)]
    public int CallbackRequestsPerWindow { get; set; } = 6000;

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan CallbackRateLimitWindow { get; set; } = TimeSpan.FromMinutes(1);
}
