using System.ComponentModel.DataAnnotations;

namespace PortalPlatform.ServiceDefaults.Messaging;

/// <summary>Retry policy of every consumer (section <c>Messaging</c>). After the last retry the message goes to the endpoint's _error queue.</summary>
public sealed class PortalMessagingOptions
{
    public const string Section = "Messaging";

    [Range(0, 20)]
    public int RetryLimit { get; set; } = 5;

    public TimeSpan RetryMinInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan RetryMaxInterval { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan RetryIntervalDelta { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How often the error-queue gauge is read from the broker.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ErrorQueueInterval { get; set; } = TimeSpan.FromSeconds(15);
}
