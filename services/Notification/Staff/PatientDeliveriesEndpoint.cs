using Marten;
using PortalPlatform.Contracts;
using PortalPlatform.Notification.Deliveries;
using PortalPlatform.ServiceDefaults.Security;

namespace PortalPlatform.Notification.Staff;

/// <summary>One message as staff see it in the chart: masked address, state, attempts and the last error.</summary>
public sealed record DeliveryView(
    Guid DeliveryId, Guid? InvitationId, string Kind, DeliveryChannel Channel, string Address, DeliveryState State,
    int Attempts, string? LastError, DateTimeOffset QueuedAt, DateTimeOffset UpdatedAt, DateTimeOffset? SentAt,
    DateTimeOffset? NextAttemptAt);

public static class PatientDeliveriesEndpoint
{
    private const int MaxPatientIdLength = 128;

    /// <summary><c>GET /api/patients/{patientId}/portal/deliveries</c>: every email and text for the patient, oldest first, own practice only.</summary>
    public static IEndpointRouteBuilder MapPatientDeliveries(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/patients/{patientId}/portal/deliveries", ListAsync)
            .RequireAuthorization(StaffPolicies.Staff)
            .WithName("ListPatientDeliveries");
        return app;
    }

    private static async Task<IResult> ListAsync(string patientId, HttpContext http, IQuerySession session, CancellationToken cancellationToken)
    {
        if (StaffUser.From(http.User) is not { } staff)
        {
            return Results.Forbid();
        }

        if (string.IsNullOrWhiteSpace(patientId) || patientId.Length > MaxPatientIdLength)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]>
            {
                ["patientId"] = [$"must be 1 to {MaxPatientIdLength} characters"],
            });
        }

        var deliveries = await session.Query<Delivery>()
            .Where(d => d.PracticeId == staff.PracticeId && d.PatientId == patientId)
            .OrderBy(d => d.QueuedAt)
            .ToListAsync(cancellationToken);
        return Results.Ok(deliveries.Select(d => new DeliveryView(
            d.Id, d.InvitationId, d.Kind.ToString(), d.Channel, d.MaskedAddress, d.State, d.Attempts, d.LastError,
            d.QueuedAt, d.UpdatedAt, d.SentAt, d.State == DeliveryState.Queued ? d.DueAt : null)));
    }
}
