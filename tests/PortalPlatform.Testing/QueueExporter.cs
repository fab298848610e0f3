using System.Collections.Concurrent;
using System.Diagnostics;
using OpenTelemetry;

namespace PortalPlatform.Testing;

/// <summary>An in-memory span exporter that is safe to read while the service still runs.</summary>
public sealed class QueueExporter(ConcurrentQueue<Activity> spans) : BaseExporter<Activity>
{
    public override ExportResult Export(in Batch<Activity> batch)
    {
        foreach (var activity in batch)
        {
            spans.Enqueue(activity);
        }

        return ExportResult.Success;
    }
}
