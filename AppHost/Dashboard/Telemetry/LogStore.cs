using OpenTelemetry.Proto.Collector.Logs.V1;

namespace PortalPlatform.Dashboard.Telemetry;

public sealed record LogRecordView(
    long Sequence, DateTimeOffset Time, string Service, string Severity, int SeverityNumber, string Category,
    string Message, IReadOnlyDictionary<string, string> Attributes, string? TraceId, string? SpanId);

/// <summary>Structured log records received over OTLP, the newest <see cref="Capacity"/> kept.</summary>
public sealed class LogStore(int capacity = 20000)
{
    private readonly Queue<LogRecordView> _records = new();
    private readonly Lock _gate = new();
    private long _sequence;

    public int Capacity => capacity;

    public int Add(ExportLogsServiceRequest request)
    {
        var received = 0;
        lock (_gate)
        {
            foreach (var resourceLogs in request.ResourceLogs)
            {
                var service = resourceLogs.Resource.ServiceName();
                foreach (var scopeLogs in resourceLogs.ScopeLogs)
                {
                    foreach (var log in scopeLogs.LogRecords)
                    {
                        var time = log.TimeUnixNano != 0 ? log.TimeUnixNano : log.ObservedTimeUnixNano;
                        _records.Enqueue(new LogRecordView(
                            ++_sequence,
                            OtlpValues.FromUnixNano(time),
                            service,
                            string.IsNullOrEmpty(log.SeverityText) ? SeverityName(log.SeverityNumber) : log.SeverityText,
                            log.SeverityNumber,
                            scopeLogs.Scope?.Name ?? "",
                            log.Body.Text(),
                            log.Attributes.ToDictionary(),
                            log.TraceId.IsEmpty ? null : log.TraceId.Hex(),
                            log.SpanId.IsEmpty ? null : log.SpanId.Hex()));
                        received++;
                        while (_records.Count > capacity)
                        {
                            _records.Dequeue();
                        }
                    }
                }
            }
        }

        return received;
    }

    public IReadOnlyList<LogRecordView> Snapshot()
    {
        lock (_gate)
        {
            return [.. _records];
        }
    }

    private static string SeverityName(int number) => number switch
    {
        >= 21 => "Fatal",
        >= 17 => "Error",
        >= 13 => "Warning",
        >= 9 => "Information",
        >= 5 => "Debug",
        >= 1 => "Trace",
        _ => "Unspecified",
    };
}
