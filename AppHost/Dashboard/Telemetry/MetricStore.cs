using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Metrics.V1;

namespace PortalPlatform.Dashboard.Telemetry;

public sealed record RequestSample(DateTimeOffset Time, double Count, double SumSeconds, double Errors);

public sealed record RequestRates(string Service, double RequestsPerSecond, double ErrorsPerSecond, double? AverageLatencyMs, double TotalRequests, double TotalErrors);

public sealed record MetricValue(string Service, string Name, string Unit, string Kind, double Value, DateTimeOffset Time);

/// <summary>
/// Basic metrics from OTLP: per service the HTTP server request count, errors (5xx) and latency (from
/// http.server.request.duration, cumulative or delta), sampled at each export, plus the latest value of every
/// other metric. Bounded: a fixed window of samples per service.
/// </summary>
public sealed class MetricStore(int samplesPerService = 720)
{
    private const string RequestDuration = "http.server.request.duration";
    private readonly Dictionary<string, Dictionary<string, (double Count, double Sum, bool Error)>> _cumulative = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RequestSample> _deltaTotals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<RequestSample>> _samples = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Service, string Name), MetricValue> _latest = new();
    private readonly Lock _gate = new();

    public int Add(ExportMetricsServiceRequest request)
    {
        var received = 0;
        lock (_gate)
        {
            foreach (var resourceMetrics in request.ResourceMetrics)
            {
                var service = resourceMetrics.Resource.ServiceName();
                var sawRequests = false;
                foreach (var metric in resourceMetrics.ScopeMetrics.SelectMany(s => s.Metrics))
                {
                    received++;
                    Remember(service, metric);
                    if (metric.Name == RequestDuration && metric.DataCase == Metric.DataOneofCase.Histogram)
                    {
                        AddRequests(service, metric.Histogram);
                        sawRequests = true;
                    }
                }

                if (sawRequests)
                {
                    Sample(service);
                }
            }
        }

        return received;
    }

    /// <summary>Request rate, error rate and mean latency per service over the last <paramref name="window"/>.</summary>
    public IReadOnlyList<RequestRates> Rates(TimeSpan window)
    {
        lock (_gate)
        {
            var now = DateTimeOffset.UtcNow;
            return [.. _samples.OrderBy(s => s.Key, StringComparer.Ordinal).Select(pair =>
            {
                var samples = pair.Value.ToList();
                var last = samples[^1];
                var first = samples.FirstOrDefault(s => s.Time >= now - window && s != last) ?? (samples.Count > 1 ? samples[^2] : last);
                var seconds = Math.Max((last.Time - first.Time).TotalSeconds, 1);
                var count = last.Count - first.Count;
                return new RequestRates(
                    pair.Key,
                    Math.Round(count / seconds, 3),
                    Math.Round((last.Errors - first.Errors) / seconds, 3),
                    count > 0 ? Math.Round((last.SumSeconds - first.SumSeconds) / count * 1000, 2) : null,
                    last.Count,
                    last.Errors);
            })];
        }
    }

    public IReadOnlyList<MetricValue> Latest()
    {
        lock (_gate)
        {
            return [.. _latest.Values.OrderBy(v => v.Service, StringComparer.Ordinal).ThenBy(v => v.Name, StringComparer.Ordinal)];
        }
    }

    private void AddRequests(string service, Histogram histogram)
    {
        var delta = histogram.AggregationTemporality == AggregationTemporality.Delta;
        if (!_cumulative.TryGetValue(service, out var series))
        {
            series = new(StringComparer.Ordinal);
            _cumulative[service] = series;
        }

        foreach (var point in histogram.DataPoints)
        {
            var attributes = point.Attributes.ToDictionary();
            var error = int.TryParse(attributes.GetValueOrDefault("http.response.status_code"), out var status) && status >= 500;
            var key = string.Join('|', attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={a.Value}"));
            if (delta)
            {
                var previous = series.GetValueOrDefault(key);
                series[key] = (previous.Count + point.Count, previous.Sum + point.Sum, error);
            }
            else
            {
                series[key] = (point.Count, point.Sum, error);
            }
        }
    }

    private void Sample(string service)
    {
        var series = _cumulative[service].Values;
        var sample = new RequestSample(DateTimeOffset.UtcNow, series.Sum(s => s.Count), series.Sum(s => s.Sum), series.Where(s => s.Error).Sum(s => s.Count));
        if (!_samples.TryGetValue(service, out var queue))
        {
            queue = new Queue<RequestSample>();
            _samples[service] = queue;
        }

        queue.Enqueue(sample);
        while (queue.Count > samplesPerService)
        {
            queue.Dequeue();
        }
    }

    private void Remember(string service, Metric metric)
    {
        (string Kind, double Value)? latest = metric.DataCase switch
        {
            Metric.DataOneofCase.Gauge => ("gauge", metric.Gauge.DataPoints.Sum(Number)),
            Metric.DataOneofCase.Sum => ("sum", metric.Sum.DataPoints.Sum(Number)),
            Metric.DataOneofCase.Histogram => ("histogram count", metric.Histogram.DataPoints.Sum(p => (double)p.Count)),
            _ => null,
        };
        if (latest is { } value)
        {
            _latest[(service, metric.Name)] = new MetricValue(service, metric.Name, metric.Unit, value.Kind, Math.Round(value.Value, 3), DateTimeOffset.UtcNow);
        }
    }

    private static double Number(NumberDataPoint point) =>
        point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble;
}
