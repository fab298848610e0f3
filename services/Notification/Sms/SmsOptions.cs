using System.ComponentModel.DataAnnotations;

namespace PortalPlatform.Notification.Sms;

/// <summary>The HTTP SMS provider (section <c>Sms</c>); its API is described in docs/notification.md.</summary>
public sealed class SmsOptions
{
    public const string Section = "Sms";

    [Required]
    public Uri? BaseUrl { get; set; }

    [Required]
    public string ApiKey { get; set; } = "";

    /// <summary>The sender number or id the provider shows.</summary>
    [Required]
    public string From { get; set; } = "";

    /// <summary>
    /// The per-deployment secret the provider signs its delivery-status callbacks with (Standard Webhooks:
    /// <c>whsec_</c> + base64 of at least 24 random bytes); without it the callback endpoint is off (404).
    /// </summary>
    [RegularExpression(@"^whsec_[A-Za-z0-9+/]{32,}={0,2}$", ErrorMessage = "Sms:StatusCallbackSecret must be whsec_ followed by base64 of at least 24 bytes")]
    public string? StatusCallbackSecret { get; set; }

    /// <summary>How far a callback's signed timestamp may be from now (either way) before it is refused as a replay.</summary>
    [Range(typeof(TimeSpan), "00:00:30", "00:30:00")]
    public TimeSpan StatusCallbackTolerance { get; set; } = TimeSpan.FromMinutes(5);

    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);
}
