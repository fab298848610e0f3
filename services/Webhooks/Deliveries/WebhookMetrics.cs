using System.Diagnostics.Metrics;

namespace PortalPlatform.Webhooks.Deliveries;

/// <summary>What ops watch on the dashboard: deliveries sent, failed attempts, parked deliveries, disabled subscriptions, lag.</summary>
public static class WebhookMetrics
{
    public const string MeterName = "PortalPlatform.Webhooks";
    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> Sent = Meter.CreateCounter<long>("portal.webhooks.sent", description: "deliveries the endpoint accepted (2xx)");
    public static readonly Counter<long> Failed = Meter.CreateCounter<long>("portal.webhooks.failed", description: "failed attempts (each is retried until the retry window ends)");
    public static readonly Counter<long> Parked = Meter.CreateCounter<long>("portal.webhooks.parked", description: "deliveries given up after the retry window");
    public static readonly Counter<long> Disabled = Meter.CreateCounter<long>("portal.webhooks.subscriptions.disabled", description: "subscriptions disabled because their endpoint kept failing");
    public static readonly Histogram<double> Lag = Meter.CreateHistogram<double>("portal.webhooks.lag", unit: "s", description: "from the event being consumed to the endpoint accepting it");
}
