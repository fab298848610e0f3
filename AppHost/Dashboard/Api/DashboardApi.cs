using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PortalPlatform.Dashboard.Telemetry;
using PortalPlatform.Hosting.ApplicationModel;
using PortalPlatform.Hosting.Local;
using PortalPlatform.Hosting.Resources;

namespace PortalPlatform.Dashboard.Api;

/// <summary>The dashboard's JSON API; the pages in wwwroot are drawn from it, and tests read it too.</summary>
public static class DashboardApi
{
    public static IEndpointRouteBuilder MapDashboardApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api");
        api.MapGet("/resources", (IResourceController app) => app.Resources.Select(ResourceView));
        api.MapPost("/resources/{name}/restart", async (string name, IResourceController app, CancellationToken cancellationToken) =>
        {
            var resource = app.Resources.FirstOrDefault(r => r.Name == name);
            if (resource is null)
            {
                return Results.Problem(statusCode: 404, title: "No such resource", detail: $"There is no resource named '{name}'.");
            }

            if (!resource.CanRestart)
            {
                return Results.Problem(statusCode: 409, title: "Cannot restart", detail: $"{name} ({resource.Type}) cannot be restarted from the dashboard.");
            }

            await app.RestartAsync(resource, cancellationToken);
            return Results.Ok(ResourceView(resource));
        });
        api.MapGet("/resources/{name}/console", (string name, string? q, long? after, IResourceController app) =>
            app.Resources.FirstOrDefault(r => r.Name == name) is { } resource
                ? Results.Ok(resource.Console.Snapshot()
                    .Where(l => after is null || l.Sequence > after)
                    .Where(l => string.IsNullOrEmpty(q) || l.Text.Contains(q, StringComparison.OrdinalIgnoreCase)))
                : Results.Problem(statusCode: 404, title: "No such resource", detail: $"There is no resource named '{name}'."));
        api.MapGet("/logs", (string? resource, string? q, string? traceId, int? minSeverity, int? limit, TelemetryStore store) =>
            store.Logs.Snapshot()
                .Where(l => string.IsNullOrEmpty(resource) || l.Service == resource)
                .Where(l => string.IsNullOrEmpty(traceId) || l.TraceId == traceId)
                .Where(l => minSeverity is null || l.SeverityNumber >= minSeverity)
                .Where(l => string.IsNullOrEmpty(q) || Matches(l, q))
                .TakeLast(Math.Clamp(limit ?? 500, 1, 5000)));
        api.MapGet("/traces", (string? service, string? q, bool? errors, bool? background, int? limit, TelemetryStore store) =>
            store.Traces.Snapshot()
                .Where(t => background == true || !TraceStore.IsBackground(t.Spans))
                .Select(t => TraceSummary(t.TraceId, t.Spans))
                .Where(t => string.IsNullOrEmpty(service) || t.Resources.Contains(service))
                .Where(t => errors != true || t.ErrorCount > 0)
                .Where(t => string.IsNullOrEmpty(q) || t.Name.Contains(q, StringComparison.OrdinalIgnoreCase) ||
                            t.Path?.Contains(q, StringComparison.OrdinalIgnoreCase) == true || t.TraceId.StartsWith(q, StringComparison.OrdinalIgnoreCase))
                .Take(Math.Clamp(limit ?? 200, 1, 2000)));
        api.MapGet("/traces/{traceId}", (string traceId, TelemetryStore store) =>
            store.Traces.Find(traceId) is { Count: > 0 } spans
                ? Results.Ok(TraceDetail(traceId, spans))
                : Results.Problem(statusCode: 404, title: "No such trace", detail: $"Trace {traceId} has not been received (or was evicted)."));
        api.MapGet("/mail", (IResourceController app) => Captured(app, "mail"));
        api.MapGet("/sms", (IResourceController app) => Captured(app, "sms"));
        api.MapGet("/metrics", async (IResourceController app, TelemetryStore store, IHttpClientFactory http, CancellationToken cancellationToken) => new
        {
            window = "1 minute",
            requests = store.Metrics.Rates(TimeSpan.FromMinutes(1)),
            queues = await QueuesAsync(app, http, cancellationToken),
            telemetry = new { traces = store.Traces.Count, maxTraces = store.Traces.MaxTraces, logCapacity = store.Logs.Capacity },
            latest = store.Metrics.Latest(),
        });
        return endpoints;
    }

    private static object ResourceView(Resource resource) => new
    {
        name = resource.Name,
        type = resource.Type,
        state = resource.State.ToString(),
        stateDetail = resource.StateDetail,
        health = resource.Health.ToString(),
        endpoints = resource.Endpoints.Select(e => new { name = e.Name, url = e.Url.ToString() }),
        pid = resource.ProcessId,
        startedAt = resource.StartedAt,
        restarts = resource.Restarts,
        canRestart = resource.CanRestart,
        waitsFor = resource.WaitsFor.Select(r => r.Name),
        references = resource.References.Select(r => r.Name),
        // Names only: values can hold connection strings and keys.
        environment = resource is ProjectResource project ? project.EffectiveEnvironment.Keys.Order(StringComparer.Ordinal) : Enumerable.Empty<string>(),
    };

    private static bool Matches(LogRecordView log, string q) =>
        log.Message.Contains(q, StringComparison.OrdinalIgnoreCase) ||
        log.Category.Contains(q, StringComparison.OrdinalIgnoreCase) ||
        log.Attributes.Values.Any(v => v.Contains(q, StringComparison.OrdinalIgnoreCase));

    public sealed record TraceSummaryView(
        string TraceId, string Name, string? Path, string RootService, IReadOnlyList<string> Services, IReadOnlyList<string> Resources,
        DateTimeOffset Start, double DurationMs, int SpanCount, int ErrorCount);

    public static TraceSummaryView TraceSummary(string traceId, IReadOnlyList<SpanRecord> spans)
    {
        var ids = spans.Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
        var root = spans.Where(s => s.ParentSpanId is null || !ids.Contains(s.ParentSpanId)).MinBy(s => s.Start) ?? spans[0];
        var start = spans.Min(s => s.Start);
        var end = spans.Max(s => s.End);
        return new TraceSummaryView(
            traceId,
            root.Name,
            // The gateway's routes are catch-alls (POST /api/{**rest}): the request path says what it was.
            root.Attributes.GetValueOrDefault("url.path") ?? root.Attributes.GetValueOrDefault("http.target"),
            root.Service,
            [.. spans.OrderBy(s => s.Start).Select(s => s.Service).Distinct()],
            [.. spans.OrderBy(s => s.Start).SelectMany(s => s.Peer is null ? [s.Service] : new[] { s.Service, s.Peer }).Distinct()],
            start,
            Math.Round((end - start).TotalMilliseconds, 3),
            spans.Count,
            spans.Count(s => s.IsError));
    }

    private static object TraceDetail(string traceId, IReadOnlyList<SpanRecord> spans)
    {
        var summary = TraceSummary(traceId, spans);
        var ids = spans.Select(s => s.SpanId).ToHashSet(StringComparer.Ordinal);
        var children = spans.Where(s => s.ParentSpanId is not null && ids.Contains(s.ParentSpanId))
            .GroupBy(s => s.ParentSpanId!).ToDictionary(g => g.Key, g => g.OrderBy(s => s.Start).ToList());
        var ordered = new List<(SpanRecord Span, int Depth)>();
        void Walk(SpanRecord span, int depth)
        {
            ordered.Add((span, depth));
            foreach (var child in children.GetValueOrDefault(span.SpanId) ?? [])
            {
                Walk(child, depth + 1);
            }
        }

        foreach (var root in spans.Where(s => s.ParentSpanId is null || !ids.Contains(s.ParentSpanId)).OrderBy(s => s.Start))
        {
            Walk(root, 0);
        }

        return new
        {
            summary.TraceId,
            summary.Name,
            summary.Path,
            summary.RootService,
            summary.Services,
            summary.Resources,
            summary.Start,
            summary.DurationMs,
            summary.SpanCount,
            summary.ErrorCount,
            spans = ordered.Select(x => new
            {
                x.Span.SpanId,
                x.Span.ParentSpanId,
                x.Span.Name,
                x.Span.Kind,
                x.Span.Service,
                x.Span.Peer,
                x.Span.Scope,
                x.Depth,
                offsetMs = Math.Round((x.Span.Start - summary.Start).TotalMilliseconds, 3),
                durationMs = Math.Round(x.Span.DurationMs, 3),
                x.Span.Status,
                x.Span.StatusMessage,
                x.Span.Attributes,
                events = x.Span.Events.Select(e => new { offsetMs = Math.Round((e.Time - summary.Start).TotalMilliseconds, 3), e.Name, e.Attributes }),
            }),
        };
    }

    private static IResult Captured(IResourceController app, string kind) =>
        app.Resources.OfType<ICapturedMessageSource>().FirstOrDefault(s => s.MessageKind == kind) is { } source
            ? Results.Ok(source.ReadMessages().ToList())
            : Results.Problem(statusCode: 404, title: $"No {kind} sink", detail: $"The AppHost runs no {kind} sink.");

    private static async Task<object> QueuesAsync(IResourceController app, IHttpClientFactory factory, CancellationToken cancellationToken)
    {
        if (app.Resources.OfType<RabbitMqResource>().FirstOrDefault() is not { State: ResourceState.Running } rabbit)
        {
            return Array.Empty<object>();
        }

        try
        {
            using var http = factory.CreateClient();
            http.Timeout = TimeSpan.FromSeconds(5);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{LocalRabbitMq.User}:{LocalRabbitMq.Password}")));
            var queues = await http.GetFromJsonAsync<JsonElement>(new Uri(rabbit.Server.ManagementUri, "api/queues?columns=name,vhost,messages,messages_ready,messages_unacknowledged,consumers"), cancellationToken);
            return queues.EnumerateArray().Select(q => new
            {
                name = q.GetProperty("name").GetString(),
                vhost = q.GetProperty("vhost").GetString(),
                messages = q.TryGetProperty("messages", out var m) ? m.GetInt64() : 0,
                ready = q.TryGetProperty("messages_ready", out var r) ? r.GetInt64() : 0,
                unacknowledged = q.TryGetProperty("messages_unacknowledged", out var u) ? u.GetInt64() : 0,
                consumers = q.TryGetProperty("consumers", out var c) ? c.GetInt64() : 0,
            }).ToList();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return new[] { new { error = $"broker management API did not answer: {e.Message}" } };
        }
    }
}
