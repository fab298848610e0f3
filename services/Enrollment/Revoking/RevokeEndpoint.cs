using FluentValidation;
using Marten;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Api;
using PortalPlatform.ServiceDefaults.Security;

namespace PortalPlatform.Enrollment.Revoking;

public sealed record RevocationRequest(string? Reason, string? Note);

public sealed class RevocationRequestValidator : AbstractValidator<RevocationRequest>
{
    public RevocationRequestValidator()
    {
        RuleFor(r => r.Reason).NotEmpty()
            .IsEnumName(typeof(RevocationReason), caseSensitive: false)
            .WithMessage($"'Reason' must be one of {string.Join(", ", Enum.GetNames<RevocationReason>())}.");
        RuleFor(r => r.Note).MaximumLength(2000);
    }
}

/// <summary>POST .../portal/revocation: admins and providers revoke portal access.</summary>
internal static class RevokeEndpoint
{
    public static void Map(RouteGroupBuilder portal) =>
        portal.MapPost("/revocation", RevokeAsync).Validates<RevocationRequest>()
            .RequireAuthorization(StaffPolicies.CanRevoke).WithSummary("Revoke portal access (admins and providers)");

    private static Task<IResult> RevokeAsync(
        string patientId, RevocationRequest request, HttpContext http, IDocumentStore store, TimeProvider clock, CancellationToken ct) =>
        StaffCommands.RunAsync(http, store, patientId,
            _ => new RevokeAccess(Enum.Parse<RevocationReason>(request.Reason!, ignoreCase: true), StaffRequests.Blank(request.Note), http.Staff().Actor(), clock.GetUtcNow()),
            outcome => TypedResults.Ok(StatusResponse.From(outcome)), ct);
}
