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

    /// <summary>The bearer key the provider presents on delivery-status callbacks; without it the callback endpoint is off.</summary>
    public string? WebhookKey { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);
}
