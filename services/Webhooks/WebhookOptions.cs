using System.ComponentModel.DataAnnotations;

namespace PortalPlatform.Webhooks;

/// <summary>Delivery pace, retry window and target rules (section <c>Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>http and internal addresses allowed: true in Development only, unless configured.</summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>How long one attempt may take before it counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a delivery is retried after its first failure before it is parked (replayable by an admin).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "30.00:00:00")]
    public TimeSpan RetryWindow { get; set; } = TimeSpan.FromHours(26);

    /// <summary>A subscription whose every attempt has failed for this long is disabled, with a notice.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "30.00:00:00")]
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(3);

    /// <summary>How long both the old and the new secret sign after a rotation.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan RotationGracePeriod { get; set; } = TimeSpan.FromHours(24);

    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a claimed attempt may take before another instance assumes this one died and takes over.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan SendLease { get; set; } = TimeSpan.FromMinutes(1);

    [Range(1, 256)]
    public int MaxParallelSends { get; set; } = 16;
}
