using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace PortalPlatform.Hosting.Local;

/// <summary>
/// The provider API (docs/notification.md): <c>POST /v1/messages</c> with <c>Authorization: Bearer {key}</c> and JSON
/// <c>{to, from, body, reference}</c> answers 201 <c>{id, status}</c>; a repeated <c>reference</c> answers 200 with the
/// first message; a bad key 401; a number that is not E.164 400. <c>GET /v1/messages</c> lists every text, oldest first.
/// <c>POST /v1/messages/{id}/status</c> with <c>{status, error?}</c> (the sink's own control, for people and tests) makes
/// the provider report that status for the message through its signed callback (<see cref="SmsStatusReporter"/>) and
/// answers 200 <c>{callbackStatus}</c>; 404 when the message is unknown or no callback is configured.
/// </summary>
public static partial class SmsProviderEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapSmsProvider(this IEndpointRouteBuilder app, SmsSinkStore store, SmsStatusReporter? reporter)
    {
        app.MapPost("/v1/messages", (Func<HttpContext, Task<IResult>>)(http => AcceptAsync(http, store)));
        app.MapGet("/v1/messages", () => Results.Ok(store.ReadAll()));
        app.MapPost("/v1/messages/{id}/status", (Func<HttpContext, Task<IResult>>)(http => ReportAsync(http, store, reporter)));
        return app;
    }

    private static async Task<IResult> ReportAsync(HttpContext http, SmsSinkStore store, SmsStatusReporter? reporter)
    {
        var id = http.Request.RouteValues["id"] as string;
        if (reporter is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "no status callback is configured (Sms:StatusCallbackUrl)");
        }

        if (store.ReadAll().SingleOrDefault(m => m.Id == id) is not { } message)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "no message has this id");
        }

        StatusReport? report;
        try
        {
            report = await http.Request.ReadFromJsonAsync<StatusReport>(Json, http.RequestAborted);
        }
        catch (JsonException)
        {
            report = null;
        }

        if (string.IsNullOrWhiteSpace(report?.Status))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["status"] = ["is required, e.g. delivered or undelivered"] });
        }

        var answered = await reporter.ReportAsync(message, report.Status, report.Error, http.RequestAborted);
        return Results.Ok(new { callbackStatus = (int)answered });
    }

    private static async Task<IResult> AcceptAsync(HttpContext http, SmsSinkStore store)
    {
        if (http.Request.Headers.Authorization.ToString() != $"Bearer {store.ApiKey}")
        {
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "invalid API key");
        }

        if (store.TakeFailure() is { } failure)
        {
            return Results.Problem(statusCode: failure, title: "provider unavailable (simulated)");
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
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["to"] = ["must be an E.164 number such as +12015550123"] });
        }

        if (string.IsNullOrWhiteSpace(request.Body))
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["must not be empty"] });
        }

        var (message, created) = store.Add(new CapturedSms($"SM{Guid.NewGuid():N}", DateTimeOffset.UtcNow, request.To, request.From ?? "", request.Body, request.Reference));
        var response = new SendResponse(message.Id, "accepted");
        return created ? Results.Created($"/v1/messages/{message.Id}", response) : Results.Ok(response);
    }

    [GeneratedRegex(@"^\+[1-9][0-9]{7,14}$")]
    private static partial Regex E164();

    private sealed record SendRequest(
        [property: JsonPropertyName("to")] string? To,
        [property: JsonPropertyName("from")] string? From,
        [property: JsonPropertyName("body")] string? Body,
        [property: JsonPropertyName("reference")] string? Reference);

    private sealed record SendResponse(string Id, string Status);

    private sealed record StatusReport(string? Status, string? Error);
}
