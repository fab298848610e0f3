using FluentValidation;
using Marten;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Api;
using PortalPlatform.Enrollment.PortalAccess;

namespace PortalPlatform.Enrollment.AccessRequests;

public sealed record DeclineRequest(string? Reason);

public sealed class DeclineRequestValidator : AbstractValidator<DeclineRequest>
{
    public DeclineRequestValidator() =>
        RuleFor(r => r.Reason).NotEmpty().WithMessage("Declining a request needs a reason.").MaximumLength(2000);
}

/// <summary>One open request as staff see it (dashboard list, chart header).</summary>
/// <param name="NotDecidableBy">
/// For a review request, the staff who may not decide it (who revoked, and the deciding clinician), so a page can
/// say so before anyone tries; empty otherwise. The rule itself is <see cref="AccessRequestDecisions.ReviewRefusal"/>.
/// </param>
public sealed record AccessRequestResponse(
    Guid RequestId, string PatientId, string FirstName, string LastName, AccessRequestKind Kind, string KindText, AccessRequestProof Proof,
    DateTimeOffset RequestedAt, PortalStatus Status, string StatusText, IReadOnlyList<string> NotDecidableBy)
{
    public static AccessRequestResponse From(PortalAccessState s, OpenAccessRequest r) => new(
        r.RequestId, s.PatientId, s.Demographics?.FirstName ?? "", s.Demographics?.LastName ?? "", r.Kind, AccessRequestViews.TextOf(r.Kind), r.Proof,
        r.RequestedAt, s.Status, PortalStatusText.For(s.Status), AccessRequestDecisions.NotDecidableBy(s));
}

public sealed record AccessRequestsResponse(int Count, IReadOnlyList<AccessRequestResponse> Requests);

/// <summary>Staff answer patients' requests: list the open ones, decline with a reason. Approving is a re-invite.</summary>
internal static class AccessRequestEndpoints
{
    public const string OpenState = "Open";

    public static void Map(RouteGroupBuilder practice)
    {
        var requests = practice.MapGroup("/access-requests").WithTags("Access requests");
        requests.MapGet("", ListAsync).WithSummary("The practice's open access requests (patient, kind, time), oldest first");
        requests.MapPost("/{requestId}/decline", DeclineAsync).Validates<DeclineRequest>()
            .WithSummary("Decline an open request with a reason; the patient is told by email")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden);
    }

    private static async Task<IResult> ListAsync(string? state, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        if (state is not null && !string.Equals(state, OpenState, StringComparison.OrdinalIgnoreCase))
        {
            return Problems.Invalid("state", $"'state' must be {OpenState} (answered requests are in each patient's history).");
        }

        var practiceId = http.Staff().PracticeId;
        var patients = await session.Query<PortalAccessState>()
            .Where(s => s.PracticeId == practiceId && s.HasOpenAccessRequest)
            .ToListAsync(ct);
        var open = patients
            .Select(s => AccessRequestResponse.From(s, s.OpenAccessRequest!))
            .OrderBy(r => r.RequestedAt)
            .ToList();
        return TypedResults.Ok(new AccessRequestsResponse(open.Count, open));
    }

    private static async Task<IResult> DeclineAsync(
        string requestId, DeclineRequest request, HttpContext http, IDocumentStore store, TimeProvider clock, CancellationToken ct)
    {
        if (!Guid.TryParse(requestId, out var id))
        {
            return Problems.Invalid("requestId", "'requestId' must be the id of an access request.");
        }

        var user = http.Staff();
        string? patientId;
        await using (var query = store.QuerySession())
        {
            patientId = await query.Query<PortalAccessState>()
                .Where(s => s.PracticeId == user.PracticeId && s.HasOpenAccessRequest && s.OpenAccessRequest!.RequestId == id)
                .Select(s => s.PatientId)
                .FirstOrDefaultAsync(ct);
        }

        if (patientId is null)
        {
            return Problems.NotFound("No such open access request.");
        }

        return await StaffCommands.RunAsync(http, store, patientId,
            settings => new DeclineAccessRequest(id, request.Reason!, settings, user.Actor(), clock.GetUtcNow()),
            outcome => TypedResults.Ok(StatusResponse.From(outcome)), ct);
    }
}
