using Marten;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using PortalPlatform.ServiceDefaults.Security;

namespace PortalPlatform.ServiceDefaults.EventStore;

/// <summary>
/// Ops' view of the outbox, on each service that has one (operators only, not routed by the gateway):
/// <c>GET /ops/parked-messages</c> lists what waits, <c>POST /ops/parked-messages/{id}/replay</c> maps the stored
/// event again and publishes the message once, with its original id.
/// </summary>
public static class ParkedMessageEndpoints
{
    public const string Path = "/ops/parked-messages";

    public sealed record ParkedMessagesResponse(int Count, IReadOnlyList<ParkedMessage> Messages);

    internal static IEndpointRouteBuilder MapParkedMessages(this IEndpointRouteBuilder app)
    {
        var ops = app.MapGroup(Path).RequireAuthorization(StaffPolicies.Operator).WithTags("Operations");
        ops.MapGet("", async (IQuerySession session, CancellationToken cancellationToken) =>
        {
            var parked = await session.Query<ParkedMessage>().Where(p => p.ReplayedAt == null).OrderBy(p => p.Sequence).ToListAsync(cancellationToken);
            return Results.Ok(new ParkedMessagesResponse(parked.Count, parked));
        });
        ops.MapPost("/{id:guid}/replay", ReplayAsync);
        return app;
    }

    private static async Task<IResult> ReplayAsync(
        Guid id, IDocumentSession session, IIntegrationEventMap map, IBus bus, TimeProvider clock, CancellationToken cancellationToken)
    {
        var parked = await session.LoadAsync<ParkedMessage>(id, cancellationToken);
        if (parked is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No parked message has this id.");
        }

        if (parked.ReplayedAt is { } replayedAt)
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "This message was already replayed.", detail: $"Replayed at {replayedAt:O}.");
        }

        var stored = await session.Events.QueryAllRawEvents().Where(e => e.Sequence == parked.Sequence).SingleAsync(cancellationToken);
        IEnumerable<OutgoingMessage> messages;
        try
        {
            messages = OutgoingMessage.From(map, stored).Where(m => parked.MessageType is null || m.MessageId == parked.Id);
        }
        catch (Exception ex)
        {
            return StillParked(ex);
        }

        foreach (var message in messages)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            try
            {
                await message.SendAsync(bus, timeout.Token);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                return RelayFailures.IsPermanent(ex)
                    ? StillParked(ex)
                    : Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The broker did not take the message; try again.", detail: RelayFailures.Describe(ex));
            }
        }

        var replayed = parked with { ReplayedAt = clock.GetUtcNow() };
        session.Store(replayed);
        await session.SaveChangesAsync(cancellationToken);
        return Results.Ok(replayed);
    }

    private static IResult StillParked(Exception failure) =>
        Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "The message still cannot be published; it stays parked.", detail: RelayFailures.Describe(failure));
}
