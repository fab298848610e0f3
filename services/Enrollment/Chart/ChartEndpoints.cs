using Marten;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Api;
using PortalPlatform.Enrollment.PortalAccess;

namespace PortalPlatform.Enrollment.Chart;

public sealed record DeliveryResponse(string Email, string Sms);

public sealed record InvitationResponse(
    Guid InvitationId, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, string IssuedBy, string? Email, string? Phone,
    InvitationTemplate Template, DeliveryResponse Delivery);

public sealed record PortalResponse(
    string PatientId, PortalStatus Status, string StatusText, long Version, string? Email, string? Phone,
    InvitationResponse? Invitation, DateTimeOffset UpdatedAt)
{
    public static PortalResponse From(PortalStatusView v) => new(
        v.PatientId, v.Status, PortalStatusText.For(v.Status), v.Version, v.Email, v.Phone,
        v.Invitation is { } i
            ? new InvitationResponse(i.InvitationId, i.IssuedAt, i.ExpiresAt, i.IssuedBy, i.Email, i.Phone, i.Template, new DeliveryResponse(i.EmailDelivery, i.SmsDelivery))
            : null,
        v.UpdatedAt);
}

public sealed record HistoryResponse(string PatientId, IReadOnlyList<HistoryEntry> Entries);

/// <summary>What the chart reads: the portal status (ETag = stream version) and the history.</summary>
internal static class ChartEndpoints
{
    public static void Map(RouteGroupBuilder portal)
    {
        portal.MapGet("", GetPortalAsync).WithSummary("Portal status; ETag = stream version");
        portal.MapGet("/history", GetHistoryAsync).WithSummary("Every change, oldest first");
    }

    public static async Task<PortalStatusView?> LoadViewAsync(IQuerySession session, Guid practiceId, string patientId, CancellationToken ct) =>
        await session.LoadAsync<PortalStatusView>(PortalAccessStream.IdOf(practiceId, patientId), ct);

    private static async Task<IResult> GetPortalAsync(string patientId, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var view = await LoadViewAsync(session, http.Staff().PracticeId, patientId, ct);
        if (view is null)
        {
            return Problems.NotFound();
        }

        http.Response.SetETag(view.Version);
        return TypedResults.Ok(PortalResponse.From(view));
    }

    private static async Task<IResult> GetHistoryAsync(string patientId, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var history = await session.LoadAsync<PortalHistory>(PortalAccessStream.IdOf(http.Staff().PracticeId, patientId), ct);
        return history is null ? Problems.NotFound() : TypedResults.Ok(new HistoryResponse(patientId, history.Entries));
    }
}
