using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace PortalPlatform.Dashboard.Telemetry;

public sealed record SpanEventRecord(DateTimeOffset Time, string Name, IReadOnlyDictionary<string, string> Attributes);

public sealed record SpanRecord(
    string TraceId, string SpanId, string? ParentSpanId, string Name, string Kind, string Service, string Scope,
    DateTimeOffset Start, DateTimeOffset End, string Status, string? StatusMessage,
    IReadOnlyDictionary<string, string> Attributes, IReadOnlyList<SpanEventRecord> Events)
{
    public double DurationMs => (End - Start).TotalMilliseconds;
    public bool IsError => Status == "Error";

    /// <summary>
    /// The resource a client or messaging span talks to: "postgres" for a database call, "rabbitmq" for a send or
    /// receive on the broker, so the waterfall shows the servers between the services.
    /// </summary>
    public string? Peer =>
        Attributes.GetValueOrDefault("db.system") is "postgresql" || Attributes.GetValueOrDefault("db.system.name") is "postgresql" ? "postgres"
        : Attributes.GetValueOrDefault("messaging.system") is "rabbitmq" ? "rabbitmq"
        // MassTransit's receive spans carry messaging.* attributes without messaging.system; RabbitMQ is the one broker.
        : Kind is "Producer" or "Consumer" && Attributes.Keys.Any(k => k.StartsWith("messaging.", StringComparison.Ordinal)) ? "rabbitmq"
        : null;
}

/// <summary>The spans of one trace as they arrive (they come from several services, in any order).</summary>
public sealed class TraceRecord(string traceId)
{
    public string TraceId { get; } = traceId;
    public List<SpanRecord> Spans { get; } = [];
    public DateTimeOffset LastUpdated { get; set; }
}

/// <summary>
/// Received spans grouped by trace, in memory and bounded: the oldest traces go first past
/// <see cref="MaxTraces"/>, and a trace keeps at most <see cref="MaxSpansPerTrace"/> spans.
/// </summary>
public sealed class TraceStore(int maxTraces = 2000, int maxSpansPerTrace = 2000)
{
    private readonly Dictionary<string, TraceRecord> _traces = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _arrival = new();
    private readonly Lock _gate = new();

    public int MaxTraces => maxTraces;
    public int MaxSpansPerTrace => maxSpansPerTrace;

    public int Add(ExportTraceServiceRequest request)
    {
        var received = 0;
        lock (_gate)
        {
            foreach (var resourceSpans in request.ResourceSpans)
            {
                var service = resourceSpans.Resource.ServiceName();
                foreach (var scopeSpans in resourceSpans.ScopeSpans)
                {
                    foreach (var span in scopeSpans.Spans)
                    {
                        var record = ToRecord(span, service, scopeSpans.Scope?.Name ?? "");
                        if (!_traces.TryGetValue(record.TraceId, out var trace))
                        {
                            trace = new TraceRecord(record.TraceId);
                            _traces[record.TraceId] = trace;
                            _arrival.AddLast(record.TraceId);
                            while (_traces.Count > maxTraces)
                            {
                                Evict();
                            }
                        }

                        if (trace.Spans.Count < maxSpansPerTrace)
                        {
                            trace.Spans.Add(record);
                            received++;
                        }

                        trace.LastUpdated = DateTimeOffset.UtcNow;
                    }
                }
            }
        }

        return received;
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _traces.Count;
            }
        }
    }

    /// <summary>A copy of every trace, newest first.</summary>
    public IReadOnlyList<(string TraceId, IReadOnlyList<SpanRecord> Spans)> Snapshot()
    {
        lock (_gate)
        {
            return [.. _arrival.Reverse().Select(id => (id, (IReadOnlyList<SpanRecord>)[.. _traces[id].Spans]))];
        }
    }

    public IReadOnlyList<SpanRecord>? Find(string traceId)
    {
        lock (_gate)
        {
            return _traces.TryGetValue(traceId.ToLowerInvariant(), out var trace) ? [.. trace.Spans] : null;
        }
    }

    public IReadOnlyList<SpanRecord> AllSpans()
    {
        lock (_gate)
        {
            return [.. _traces.Values.SelectMany(t => t.Spans)];
        }
    }

    /// <summary>
    /// Drops the oldest background trace (no incoming request or message: the event store's polling), else the
    /// oldest trace, so that a steady hum of background work does not push the requests out.
    /// </summary>
    private void Evict()
    {
        var victim = _arrival.First!;
        for (var node = _arrival.First; node is not null; node = node.Next)
        {
            if (IsBackground(_traces[node.Value].Spans))
            {
                victim = node;
                break;
            }
        }

        _traces.Remove(victim.Value);
        _arrival.Remove(victim);
    }

    public static bool IsBackground(IReadOnlyList<SpanRecord> spans) => !spans.Any(s => s.Kind is "Server" or "Consumer");

    private static SpanRecord ToRecord(Span span, string service, string scope) => new(
        span.TraceId.Hex(),
        span.SpanId.Hex(),
        span.ParentSpanId.IsEmpty ? null : span.ParentSpanId.Hex(),
        span.Name,
        span.Kind switch
        {
            Span.Types.SpanKind.Server => "Server",
            Span.Types.SpanKind.Client => "Client",
            Span.Types.SpanKind.Producer => "Producer",
            Span.Types.SpanKind.Consumer => "Consumer",
            _ => "Internal",
        },
        service,
        scope,
        OtlpValues.FromUnixNano(span.StartTimeUnixNano),
        OtlpValues.FromUnixNano(Math.Max(span.EndTimeUnixNano, span.StartTimeUnixNano)),
        span.Status?.Code switch
        {
            Status.Types.StatusCode.Error => "Error",
            Status.Types.StatusCode.Ok => "Ok",
            _ => "Unset",
        },
        string.IsNullOrEmpty(span.Status?.Message) ? null : span.Status.Message,
        span.Attributes.ToDictionary(),
        [.. span.Events.Select(e => new SpanEventRecord(OtlpValues.FromUnixNano(e.TimeUnixNano), e.Name, e.Attributes.ToDictionary()))]);
}
