using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;

namespace PortalPlatform.Dashboard.Telemetry;

/// <summary>Everything received over OTLP, bounded in memory.</summary>
public sealed class TelemetryStore
{
    public TraceStore Traces { get; } = new();
    public LogStore Logs { get; } = new();
    public MetricStore Metrics { get; } = new();
}

/// <summary>OTLP/HTTP with binary protobuf bodies: POST /v1/traces, /v1/logs, /v1/metrics (OTLP specification 1.x).</summary>
public static class OtlpHttpEndpoints
{
    private const string Protobuf = "application/x-protobuf";

    public static IEndpointRouteBuilder MapOtlpHttp(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/traces", (HttpContext context, TelemetryStore store) =>
            ReceiveAsync(context, ExportTraceServiceRequest.Parser, r => store.Traces.Add(r), new ExportTraceServiceResponse()));
        endpoints.MapPost("/v1/logs", (HttpContext context, TelemetryStore store) =>
            ReceiveAsync(context, ExportLogsServiceRequest.Parser, r => store.Logs.Add(r), new ExportLogsServiceResponse()));
        endpoints.MapPost("/v1/metrics", (HttpContext context, TelemetryStore store) =>
            ReceiveAsync(context, ExportMetricsServiceRequest.Parser, r => store.Metrics.Add(r), new ExportMetricsServiceResponse()));
        return endpoints;
    }

    private static async Task ReceiveAsync<TRequest>(HttpContext context, MessageParser<TRequest> parser, Func<TRequest, int> store, IMessage response)
        where TRequest : IMessage<TRequest>
    {
        if (context.Request.ContentType?.StartsWith(Protobuf, StringComparison.OrdinalIgnoreCase) != true)
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            await context.Response.WriteAsync("OTLP/HTTP here takes application/x-protobuf bodies only.");
            return;
        }

        var body = context.Request.Body;
        if (string.Equals(context.Request.Headers.ContentEncoding, "gzip", StringComparison.OrdinalIgnoreCase))
        {
            body = new System.IO.Compression.GZipStream(body, System.IO.Compression.CompressionMode.Decompress);
        }

        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, context.RequestAborted);
        TRequest request;
        try
        {
            request = parser.ParseFrom(buffer.ToArray());
        }
        catch (InvalidProtocolBufferException e)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync($"Not an OTLP protobuf message: {e.Message}");
            return;
        }

        store(request);
        context.Response.ContentType = Protobuf;
        await context.Response.Body.WriteAsync(response.ToByteArray(), context.RequestAborted);
    }
}

/// <summary>OTLP/gRPC: the three collector services, on the dashboard's HTTP/2 port.</summary>
public sealed class OtlpTraceService(TelemetryStore store) : TraceService.TraceServiceBase
{
    public override Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context)
    {
        store.Traces.Add(request);
        return Task.FromResult(new ExportTraceServiceResponse());
    }
}

public sealed class OtlpLogsService(TelemetryStore store) : LogsService.LogsServiceBase
{
    public override Task<ExportLogsServiceResponse> Export(ExportLogsServiceRequest request, ServerCallContext context)
    {
        store.Logs.Add(request);
        return Task.FromResult(new ExportLogsServiceResponse());
    }
}

public sealed class OtlpMetricsService(TelemetryStore store) : MetricsService.MetricsServiceBase
{
    public override Task<ExportMetricsServiceResponse> Export(ExportMetricsServiceRequest request, ServerCallContext context)
    {
        store.Metrics.Add(request);
        return Task.FromResult(new ExportMetricsServiceResponse());
    }
}
