using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StandardWebhooks;

namespace PortalPlatform.Webhooks.Tests;

/// <summary>One request as the receiver got it, with what it answered.</summary>
public sealed record ReceivedRequest(string Path, string WebhookId, string Timestamp, string Signature, string ContentType, string Body, DateTimeOffset At, int Answered)
{
    public JsonElement CloudEvent => JsonDocument.Parse(Body).RootElement;

    /// <summary>Verifies the signature with the receiver example of docs/webhooks.md (every signature of the header is tried).</summary>
    public bool VerifiesWith(string secret) =>
        ReceiverExample.IsAuthentic(secret, WebhookId, Timestamp, Signature, Body, DateTimeOffset.UtcNow);

    /// <summary>Verifies with the StandardWebhooks package (which, in 1.1.2, only tries the first signature of the header).</summary>
    public bool VerifiesWithPackage(string secret)
    {
        var headers = new HeaderDictionary
        {
            ["webhook-id"] = WebhookId,
            ["webhook-timestamp"] = Timestamp,
            ["webhook-signature"] = Signature,
        };
        try
        {
            new StandardWebhook(secret).Verify(Body, headers);
            return true;
        }
        catch (StandardWebhooks.Diagnostics.WebhookVerificationException)
        {
            return false;
        }
    }
}

/// <summary>
/// An integrator's endpoint: a real Kestrel server on a loopback port that records every request and answers what
/// the test says (per path). It can be stopped and started again on the same port (an endpoint that is down).
/// </summary>
public sealed class Receiver : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Func<int>> _answers = new();
    private WebApplication? _app;

    public int Port { get; } = FreePort();
    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    public string UrlOf(string path) => $"http://127.0.0.1:{Port}/{path}";

    /// <summary>What the endpoint at <paramref name="path"/> answers from now on (200 unless set).</summary>
    public void Answer(string path, Func<int> status) => _answers[path] = status;

    public IReadOnlyList<ReceivedRequest> At(string path) => [.. Requests.Where(r => r.Path == path)];

    /// <summary>The requests at <paramref name="path"/> that were answered 2xx.</summary>
    public IReadOnlyList<ReceivedRequest> AcceptedAt(string path) => [.. At(path).Where(r => r.Answered is >= 200 and < 300)];

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, Port));
        var app = builder.Build();
        app.MapPost("/{path}", async (string path, HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            var status = _answers.TryGetValue(path, out var answer) ? answer() : StatusCodes.Status200OK;
            Requests.Enqueue(new ReceivedRequest(
                path, request.Headers["webhook-id"].ToString(), request.Headers["webhook-timestamp"].ToString(),
                request.Headers["webhook-signature"].ToString(), request.ContentType ?? "", body, DateTimeOffset.UtcNow, status));
            return Results.Text(status >= 300 ? "receiver says no" : "ok", statusCode: status);
        });
        await app.StartAsync();
        _app = app;
    }

    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static int FreeLoopbackPort() => FreePort();
}
