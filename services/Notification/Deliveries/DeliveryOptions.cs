using System.ComponentModel.DataAnnotations;

namespace PortalPlatform.Notification.Deliveries;

/// <summary>Retry schedule and sender pace (section <c>Delivery</c>).</summary>
public sealed class DeliveryOptions
{
    public const string Section = "Delivery";

    /// <summary>Attempts per message before a transient problem is reported as a (non-permanent) failure.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(15);

    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often the sender looks for due retries when nothing new wakes it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a claimed send may take before another sender assumes this one died and takes over.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan SendLease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Attempts in flight at once (claim, send, record). Set above <c>Smtp:Connections</c>, the database work of some
    /// attempts overlaps the SMTP conversations of others, but a claimed attempt may then wait for a connection, and a
    /// void arriving in that wait no longer stops it; measured here it bought nothing (the CPU bounds the burst), so the
    /// default matches the connections.
    /// </summary>
    [Range(1, 64)]
    public int MaxParallelSends { get; set; } = 4;
}
