using JasperFx.Events;
using Marten;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.AccessRequests;
using PortalPlatform.Enrollment.Api;
using PortalPlatform.Enrollment.Delivering;
using PortalPlatform.Enrollment.PortalAccess;

namespace PortalPlatform.Enrollment.Chart;

public sealed record DeliveryResponse(DeliveryState Email, DeliveryState Sms);

public sealed record InvitationResponse(
    Guid InvitationId, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, string IssuedBy, string? Email, string? Phone,
    InvitationTemplate Template, DeliveryResponse Delivery);

/// <param name="AccessRequest">The patient's open request for access back, if any.</param>
public sealed record PortalResponse(
    string PatientId, PortalStatus Status, string StatusText, long Version, string? Email, string? Phone,
    InvitationResponse? Invitation, DateTimeOffset UpdatedAt, AccessRequestResponse? AccessRequest)
{
    public static PortalResponse From(PortalAccessState s, IReadOnlyList<IDeliveryReceipt> receipts) => new(
        s.PatientId, s.Status, PortalStatusText.For(s.Status), s.Version, s.Email, s.Phone,
        s.Invitation is { } i
            ? new InvitationResponse(i.Id, i.IssuedAt, i.ExpiresAt, i.IssuedBy, i.Email, i.Phone, i.Template, new DeliveryResponse(
                DeliveryReceipts.StateOf(i, DeliveryChannel.Email, receipts), DeliveryReceipts.StateOf(i, DeliveryChannel.Sms, receipts)))
            : null,
        s.UpdatedAt,
        s.OpenAccessRequest is { } r ? AccessRequestResponse.From(s, r) : null);
}

public sealed record HistoryResponse(string PatientId, IReadOnlyList<HistoryEntry> Entries);

/// <summary>What the chart reads: the portal status with delivery state (ETag = access stream version) and the history.</summary>
internal static class ChartEndpoints
{
    public static void Map(RouteGroupBuilder portal)
    {
        portal.MapGet("", GetPortalAsync).WithSummary("Portal status; ETag = stream version");
        portal.MapGet("/history", GetHistoryAsync).WithSummary("Every change, oldest first");
    }

    private static async Task<IResult> GetPortalAsync(string patientId, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var id = PortalAccessStream.IdOf(http.Staff().PracticeId, patientId);
        var batch = session.CreateBatchQuery();
        var loading = batch.Load<PortalAccessState>(id);
        var receipts = batch.Events.FetchStream(DeliveryReceipts.StreamIdOf(id));
        await batch.Execute(ct);
        if (await loading is not { } state)
        {
            return Problems.NotFound();
        }

        http.Response.SetETag(state.Version);
        return TypedResults.Ok(PortalResponse.From(state, (await receipts).Select(e => e.Data).OfType<IDeliveryReceipt>().ToList()));
    }

    private static async Task<IResult> GetHistoryAsync(string patientId, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var id = PortalAccessStream.IdOf(http.Staff().PracticeId, patientId);
        var batch = session.CreateBatchQuery();
        var access = batch.Events.FetchStream(id);
        var receipts = batch.Events.FetchStream(DeliveryReceipts.StreamIdOf(id));
        await batch.Execute(ct);
        var events = await access;
        return events.Count == 0 ? Problems.NotFound() : TypedResults.Ok(new HistoryResponse(patientId, History.Of(events, await receipts)));
    }
}
