using FluentValidation;
using Marten;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Api;
using PortalPlatform.ServiceDefaults.Security;

namespace PortalPlatform.Enrollment.Revoking;

/// <summary>For reason PreventingHarm also the deciding clinician, the basis and the scope (45 CFR 171.201).</summary>
public sealed record RevocationRequest(
    string? Reason, string? Note, string? DecidingClinicianId = null, string? DecidingClinicianName = null, string? Basis = null, string? Scope = null)
{
    public bool IsHarmBased => string.Equals(Reason, nameof(RevocationReason.PreventingHarm), StringComparison.OrdinalIgnoreCase);

    public HarmDetermination? Harm => IsHarmBased
        ? new HarmDetermination(DecidingClinicianId!.Trim(), DecidingClinicianName!.Trim(),
            Enum.Parse<HarmBasis>(Basis!, ignoreCase: true), Enum.Parse<HarmScope>(Scope!, ignoreCase: true))
        : null;
}

public sealed class RevocationRequestValidator : AbstractValidator<RevocationRequest>
{
    public RevocationRequestValidator()
    {
        RuleFor(r => r.Reason).NotEmpty()
            .IsEnumName(typeof(RevocationReason), caseSensitive: false)
            .WithMessage($"'Reason' must be one of {string.Join(", ", Enum.GetNames<RevocationReason>())}.");
        RuleFor(r => r.Note).MaximumLength(2000);
        When(r => r.IsHarmBased, () =>
        {
            RuleFor(r => r.DecidingClinicianId).NotEmpty().MaximumLength(64)
                .WithMessage("A PreventingHarm revocation needs the deciding clinician's user id ('decidingClinicianId').");
            RuleFor(r => r.DecidingClinicianName).NotEmpty().MaximumLength(ContactRules.MaxNameLength)
                .WithMessage("A PreventingHarm revocation needs the deciding clinician's name ('decidingClinicianName').");
            RuleFor(r => r.Basis).NotEmpty().IsEnumName(typeof(HarmBasis), caseSensitive: false)
                .WithMessage($"'Basis' must be one of {string.Join(", ", Enum.GetNames<HarmBasis>())}.");
            RuleFor(r => r.Scope).NotEmpty().IsEnumName(typeof(HarmScope), caseSensitive: false)
                .WithMessage($"'Scope' must be one of {string.Join(", ", Enum.GetNames<HarmScope>())}.");
        }).Otherwise(() =>
        {
            const string OnlyForHarm = "'{PropertyName}' belongs to a PreventingHarm revocation only.";
            RuleFor(r => r.DecidingClinicianId).Empty().WithMessage(OnlyForHarm);
            RuleFor(r => r.DecidingClinicianName).Empty().WithMessage(OnlyForHarm);
            RuleFor(r => r.Basis).Empty().WithMessage(OnlyForHarm);
            RuleFor(r => r.Scope).Empty().WithMessage(OnlyForHarm);
        });
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
            _ => new RevokeAccess(Enum.Parse<RevocationReason>(request.Reason!, ignoreCase: true), StaffRequests.Blank(request.Note), http.Staff().Actor(), clock.GetUtcNow(),
                request.Harm),
            outcome => TypedResults.Ok(StatusResponse.From(outcome)), ct);
}
