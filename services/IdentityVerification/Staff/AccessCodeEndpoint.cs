using Marten;
using PortalPlatform.IdentityVerification.Registrations;
using PortalPlatform.ServiceDefaults.Security;

namespace PortalPlatform.IdentityVerification.Staff;

/// <summary>The access code staff read out or hand over in person (shown in the chart's invitation details).</summary>
public static class AccessCodeEndpoint
{
    public static IEndpointRouteBuilder MapAccessCode(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/patients/{patientId}/portal/invitations/{invitationId:guid}/access-code", GetAsync)
            .RequireAuthorization(StaffPolicies.Staff);
        return app;
    }

    private static async Task<IResult> GetAsync(
        string patientId, Guid invitationId, HttpContext http, IQuerySession session, RegistrationSecrets secrets, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        if (StaffUser.From(http.User) is not { } staff)
        {
            return Results.Problem(statusCode: StatusCodes.Status403Forbidden, detail: "A staff token with a practice is required.");
        }

        // Only the staff member's own practice is searched: another practice's patient is simply not found.
        var registration = await session.Query<Registration>()
            .Where(r => r.PracticeId == staff.PracticeId && r.PatientId == patientId && r.InvitationId == invitationId)
            .OrderByDescending(r => r.OpenedAt)
            .FirstOrDefaultAsync(cancellationToken);
        if (registration is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: "No registration for this invitation.");
        }

        if (!registration.IsUsable(clock.GetUtcNow()))
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict,
                detail: "This invitation can no longer be used (completed, locked, cancelled or expired). Re-invite the patient for a new code.");
        }

        return Results.Ok(new { accessCode = secrets.AccessCodeFor(registration.Id), expiresAt = registration.ExpiresAt });
    }
}
