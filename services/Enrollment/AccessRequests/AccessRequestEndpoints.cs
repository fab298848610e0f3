using FluentValidation;
using Marten;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Api;
using PortalPlatform.Enrollment.Projections;
using PortalPlatform.Enrollment.Settings;
using PortalPlatform.ServiceDefaults.Security;

namespace PortalPlatform.Enrollment.AccessRequests;

public sealed record DeclineRequest(string? Reason);

public sealed class DeclineRequestValidator : AbstractValidator<DeclineRequest>
{
    public DeclineRequestValidator() =>
        RuleFor(r => r.Reason).NotEmpty().WithMessage("Declining a request needs a reason.").MaximumLength(2000);
}

/// <summary>One open request as staff see it (dashboard list, chart header).</summary>
public sealed record AccessRequestResponse(
    Guid RequestId, string PatientId, string FirstName, string LastName, AccessRequestKind Kind, string KindText, AccessRequestProof Proof,
    DateTimeOffset RequestedAt, PortalStatus Status, string StatusText)
{
    public static AccessRequestResponse From(PortalStatusView v, AccessRequestView r) => new(
        r.RequestId, v.PatientId, v.FirstName, v.LastName, r.Kind, AccessRequestViews.TextOf(r.Kind), r.Proof, r.RequestedAt,
        v.Status, PortalStatusText.For(v.Status));
}

public sealed record AccessRequestsResponse(int Count, IReadOnlyList<AccessRequestResponse> Requests);

/// <summary>Staff answer patients' requests: list the open ones, decline with a reason. Approving is a re-invite.</summary>
public static class AccessRequestEndpoints
{
    public const string OpenState = "Open";

    public static IEndpointRouteBuilder MapAccessRequests(this IEndpointRouteBuilder app)
    {
        var requests = app.MapGroup("/api/practice/access-requests").RequireAuthorization(StaffPolicies.Staff).WithTags("Access requests");
        requests.MapGet("", ListAsync).WithSummary("The practice's open access requests (patient, kind, time), oldest first");
        requests.MapPost("/{requestId}/decline", DeclineAsync).Validates<DeclineRequest>()
            .WithSummary("Decline an open request with a reason; the patient is told by email")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    private static async Task<IResult> ListAsync(string? state, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        if (state is not null && !string.Equals(state, OpenState, StringComparison.OrdinalIgnoreCase))
        {
            return Problems.Invalid("state", $"'state' must be {OpenState} (answered requests are in each patient's history).");
        }

        var practiceId = PortalEndpoints.Staff(http).PracticeId;
        var views = await session.Query<PortalStatusView>()
            .Where(v => v.PracticeId == practiceId && v.HasOpenAccessRequest)
            .ToListAsync(ct);
        var open = views
            .Select(v => AccessRequestResponse.From(v, v.OpenAccessRequest!))
            .OrderBy(r => r.RequestedAt)
            .ToList();
        return TypedResults.Ok(new AccessRequestsResponse(open.Count, open));
    }

    private static async Task<IResult> DeclineAsync(
        string requestId, DeclineRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        if (!Guid.TryParse(requestId, out var id))
        {
            return Problems.Invalid("requestId", "'requestId' must be the id of an access request.");
        }

        var user = PortalEndpoints.Staff(http);
        var view = await session.Query<PortalStatusView>()
            .Where(v => v.PracticeId == user.PracticeId && v.HasOpenAccessRequest && v.OpenAccessRequest!.RequestId == id)
            .FirstOrDefaultAsync(ct);
        if (view is null)
        {
            return Problems.NotFound("No such open access request.");
        }

        var settings = await PracticeSettingsStore.LoadAsync(session, user.PracticeId, ct);
        return await PortalEndpoints.RunAsync(http, session, view.PatientId,
            _ => new DeclineAccessRequest(id, request.Reason!, settings, PortalEndpoints.ActorOf(user), clock.GetUtcNow()),
            outcome => TypedResults.Ok(StatusResponse.From(outcome)), ct);
    }
}
