using Marten;
using PortalPlatform.Enrollment.Api;

namespace PortalPlatform.Enrollment.Cancelling;

/// <summary>DELETE .../portal/invitations/{id}: cancel the pending invitation.</summary>
internal static class CancelInvitationEndpoint
{
    public static void Map(RouteGroupBuilder portal) =>
        portal.MapDelete("/invitations/{invitationId:guid}", CancelAsync).WithSummary("Cancel a pending invitation");

    private static Task<IResult> CancelAsync(
        string patientId, Guid invitationId, HttpContext http, IDocumentStore store, TimeProvider clock, CancellationToken ct) =>
        StaffCommands.RunAsync(http, store, patientId, _ => new CancelInvitation(invitationId, http.Staff().Actor(), clock.GetUtcNow()),
            outcome => TypedResults.Ok(StatusResponse.From(outcome)), ct);
}
