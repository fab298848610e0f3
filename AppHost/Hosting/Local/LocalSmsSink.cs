using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PortalPlatform.Hosting.Local;

/// <summary>One text message the local SMS sink accepted.</summary>
public sealed record CapturedSms(string Id, DateTimeOffset ReceivedAt, string To, string From, string Body, string? Reference);

/// <summary>
/// A real HTTP server on loopback that speaks the platform's SMS provider API (docs/notification.md):
/// <c>POST /v1/messages</c> with <c>Authorization: Bearer {ApiKey}</c> and JSON <c>{to, from, body, reference}</c>
/// answers 201 <c>{id, status}</c>; a repeated <c>reference</c> answers 200 with the first message (idempotent);
/// a bad key 401; a number that is not E.164 400; <see cref="FailNext"/> makes it answer 503 on purpose.
/// Accepted messages are appended to <c>messages.jsonl</c> in <paramref name="directory"/>.
/// </summary>
public sealed partial class LocalSmsSink(string directory, int port) : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly ConcurrentDictionary<string, CapturedSms> _byReference = new(StringComparer.Ordinal);
    private readonly Lock _file = new();
    private int _failuresLeft;
    private int _failureStatus = StatusCodes.Status503ServiceUnavailable;
    private WebApplication? _app;

    public string Directory { get; } = Path.GetFullPath(directory);
    public int Port { get; } = port;

    /// <summary>The bearer key the sink accepts (random unless set).</summary>
    public string ApiKey { get; init; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>Base address of the provider API, as the Notification service reads <c>Sms:BaseUrl</c>.</summary>
    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/");

    private string MessagesFile => Path.Combine(Directory, "messages.jsonl");

    /// <summary>The next <paramref name="count"/> sends are refused with <paramref name="statusCode"/> (a provider outage).</summary>
    public void FailNext(int count, int statusCode = StatusCodes.Status503ServiceUnavailable)
    {
        Volatile.Write(ref _failureStatus, statusCode);
        Volatile.Write(ref _failuresLeft, count);
    }

    public async Task StartAsync(Action<string>? log = null, CancellationToken ct = default)
    {
        if (_app is not null)
        {
            return;
        }

        Ports.EnsureFree(Port, "the local SMS sink");
        System.IO.Directory.CreateDirectory(Directory);
        foreach (var sms in ReadAll().Where(s => s.Reference is not null))
        {
            _byReference.TryAdd(sms.Reference!, sms);
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, Port));
        var app = builder.Build();
        app.MapPost("/v1/messages", (Delegate)Accept);
        app.MapGet("/v1/messages", () => Results.Ok(ReadAll()));
        await app.StartAsync(ct);
        _app = app;
        log?.Invoke($"SMS sink (HTTP) listening on {BaseUrl}");
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

    /// <summary>Every message accepted so far, oldest first.</summary>
    public IReadOnlyList<CapturedSms> ReadAll()
    {
        lock (_file)
        {
            if (!File.Exists(MessagesFile))
            {
                return [];
            }

            return File.ReadAllLines(MessagesFile)
                .Where(line => !string.IsNullOrWhiteSpace(line))
                .Select(line => JsonSerializer.Deserialize<CapturedSms>(line, Json)!)
                .ToList();
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task<IResult> Accept(HttpContext http)
    {
        if (http.Request.Headers.Authorization.ToString() != $"Bearer {ApiKey}")
        {
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "invalid API key");
        }

        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            return Results.Problem(statusCode: Volatile.Read(ref _failureStatus), title: "provider unavailable (simulated)");
        }

        SendRequest? request;
        try
        {
            request = await http.Request.ReadFromJsonAsync<SendRequest>(Json, http.RequestAborted);
        }
        catch (JsonException)
        {
            request = null;
        }

        if (request is null)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["a JSON body is required"] });
        }

        if (request.To is null || !E164().IsMatch(request.To))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["to"] = ["must be an E.164 number such as +15551234567"] });
        }

        if (string.IsNullOrWhiteSpace(request.Body))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["must not be empty"] });
        }

        var candidate = new CapturedSms($"SM{Guid.NewGuid():N}", DateTimeOffset.UtcNow, request.To, request.From ?? "", request.Body, request.Reference);
        lock (_file)
        {
            if (request.Reference is not null && _byReference.TryGetValue(request.Reference, out var earlier))
            {
                return Results.Ok(new SendResponse(earlier.Id, "accepted"));
            }

            File.AppendAllText(MessagesFile, JsonSerializer.Serialize(candidate, Json) + "\n");
            if (request.Reference is not null)
            {
                _byReference[request.Reference] = candidate;
            }
        }

        return Results.Created($"/v1/messages/{candidate.Id}", new SendResponse(candidate.Id, "accepted"));
    }

    [GeneratedRegex(@"^\+[1-9][0-9]{7,14}$")]
    private static partial Regex E164();

    private sealed record SendRequest(
        [property: JsonPropertyName("to")] string? To,
        [property: JsonPropertyName("from")] string? From,
        [property: JsonPropertyName("body")] string? Body,
        [property: JsonPropertyName("reference")] string? Reference);

    private sealed record SendResponse(string Id, string Status);
}
