using FluentValidation;
using Marten;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Api;

namespace PortalPlatform.Enrollment.Inviting;

/// <summary>Omitted email or phone means "use the demographics".</summary>
public sealed record InvitationRequest(string? Email, string? Phone);

public sealed record InvitationCreatedResponse(Guid InvitationId, DateTimeOffset ExpiresAt, PortalStatus Status);

public sealed class InvitationRequestValidator : AbstractValidator<InvitationRequest>
{
    public InvitationRequestValidator()
    {
        RuleFor(r => r.Email).ValidEmail().When(r => !string.IsNullOrEmpty(r.Email));
        RuleFor(r => r.Phone).ValidPhone().When(r => !string.IsNullOrEmpty(r.Phone));
    }
}

/// <summary>POST .../portal/invitations: invite or re-invite.</summary>
internal static class InviteEndpoint
{
    public static void Map(RouteGroupBuilder portal) =>
        portal.MapPost("/invitations", InviteAsync).Validates<InvitationRequest>()
            .WithSummary("Invite or re-invite; honours If-Match").ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<IResult> InviteAsync(
        string patientId, InvitationRequest request, HttpContext http, IDocumentStore store, TimeProvider clock, CancellationToken ct)
    {
        var user = http.Staff();
        var invitationId = Guid.CreateVersion7();
        return await StaffCommands.RunAsync(http, store, patientId,
            settings => new InvitePatient(invitationId, StaffRequests.Blank(request.Email), StaffRequests.Phone(request.Phone), settings, user.Actor(), clock.GetUtcNow()),
            outcome => TypedResults.Created($"/api/patients/{patientId}/portal",
                new InvitationCreatedResponse(invitationId, outcome.After.Invitation!.ExpiresAt, outcome.After.Status)), ct);
    }
}
