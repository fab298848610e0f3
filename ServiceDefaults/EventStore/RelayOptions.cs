using System.ComponentModel.DataAnnotations;

namespace PortalPlatform.ServiceDefaults.EventStore;

/// <summary>When the outbox counts as behind (section <c>Relay</c>).</summary>
public sealed class RelayOptions
{
    public const string Section = "Relay";

    /// <summary>Health is Degraded once the oldest event not yet published is older than this.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan DegradedLagAge { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the lag and parked-message gauges are read from the database.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan MetricsInterval { get; set; } = TimeSpan.FromSeconds(15);
}
