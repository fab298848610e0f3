using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PortalPlatform.ServiceDefaults.Security;

namespace PortalPlatform.ServiceDefaults.Messaging;

/// <summary>
/// Ops' view of the service's consumers (operators only, not routed by the gateway): <c>GET /ops/error-queues</c>
/// counts each endpoint's error queue, <c>POST /ops/error-queues/{endpoint}/replay</c> moves its messages back to
/// the endpoint once the cause is fixed (consumers are idempotent by message id, so a replay cannot apply twice).
/// </summary>
public static class ErrorQueueEndpoints
{
    public const string Path = "/ops/error-queues";

    public sealed record ErrorQueueCount(string Endpoint, string ErrorQueue, uint Messages);

    public sealed record ReplayResult(string Endpoint, int Moved);

    internal static IEndpointRouteBuilder MapErrorQueues(this IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup(Path).RequireAuthorization(StaffPolicies.Operator).WithTags("Operations");
        ops.MapGet("", async (ErrorQueues errorQueues, CancellationToken cancellationToken) =>
            Results.Ok((await errorQueues.CountAsync(cancellationToken)).Select(c => new ErrorQueueCount(c.Key, c.Key + ErrorQueues.Suffix, c.Value))));
        ops.MapPost("/{endpoint}/replay", async (string endpoint, ErrorQueues errorQueues, CancellationToken cancellationToken) =>
            errorQueues.Owns(endpoint)
                ? Results.Ok(new ReplayResult(endpoint, await errorQueues.ReplayAsync(endpoint, cancellationToken)))
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "This service has no such receive endpoint.", detail: $"See {Path}."));
        return app;
    }
}
