using FluentValidation;
using Marten;
using PortalPlatform.Enrollment.Api;
using PortalPlatform.Enrollment.PortalAccess;

namespace PortalPlatform.Enrollment.RecordingDemographics;

public sealed record DemographicsRequest(string? FirstName, string? LastName, DateOnly? DateOfBirth, string? Email, string? Phone);

public sealed record DemographicsResponse(string PatientId, string FirstName, string LastName, DateOnly DateOfBirth, string? Email, string? Phone)
{
    public static DemographicsResponse From(string patientId, Demographics d) => new(patientId, d.FirstName, d.LastName, d.DateOfBirth, d.Email, d.Phone);
}

public sealed class DemographicsRequestValidator : AbstractValidator<DemographicsRequest>
{
    public DemographicsRequestValidator(TimeProvider clock)
    {
        RuleFor(r => r.FirstName).NotEmpty().MaximumLength(ContactRules.MaxNameLength);
        RuleFor(r => r.LastName).NotEmpty().MaximumLength(ContactRules.MaxNameLength);
        RuleFor(r => r.DateOfBirth).NotNull()
            .Must(d => d <= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime)).WithMessage("'Date Of Birth' cannot be in the future.")
            .Must(d => d >= new DateOnly(1900, 1, 1)).WithMessage("'Date Of Birth' must be after 1900-01-01.");
        RuleFor(r => r.Email).ValidEmail().When(r => !string.IsNullOrEmpty(r.Email));
        RuleFor(r => r.Phone).ValidPhone().When(r => !string.IsNullOrEmpty(r.Phone));
    }
}

/// <summary>PUT /api/patients/{id} (the EHR's feed) and GET.</summary>
internal static class DemographicsEndpoints
{
    public static void Map(RouteGroupBuilder patient)
    {
        patient.MapPut("", RecordAsync).Validates<DemographicsRequest>().WithSummary("Record demographics (the EHR's feed)");
        patient.MapGet("", GetAsync).WithSummary("Demographics");
    }

    private static Task<IResult> RecordAsync(
        string patientId, DemographicsRequest request, HttpContext http, IDocumentStore store, TimeProvider clock, CancellationToken ct) =>
        StaffCommands.RunAsync(http, store, patientId,
            _ => new RecordDemographics(request.FirstName!.Trim(), request.LastName!.Trim(), request.DateOfBirth!.Value,
                StaffRequests.Blank(request.Email), StaffRequests.Phone(request.Phone), http.Staff().Actor(), clock.GetUtcNow()),
            outcome => TypedResults.Ok(DemographicsResponse.From(patientId, outcome.After.Demographics!)), ct, creates: true);

    private static async Task<IResult> GetAsync(string patientId, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var state = await session.LoadAsync<PortalAccessState>(PortalAccessStream.IdOf(http.Staff().PracticeId, patientId), ct);
        return state?.Demographics is { } d ? TypedResults.Ok(DemographicsResponse.From(patientId, d)) : Problems.NotFound();
    }
}
