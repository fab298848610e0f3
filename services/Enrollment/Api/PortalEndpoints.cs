using Marten;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.PortalAccess;
using PortalPlatform.Enrollment.Projections;
using PortalPlatform.Enrollment.Settings;
using PortalPlatform.ServiceDefaults.Security;

namespace PortalPlatform.Enrollment.Api;

/// <summary>The staff API of DESIGN.md that belongs to Enrollment. The practice always comes from the token.</summary>
public static class PortalEndpoints
{
    public static IEndpointRouteBuilder MapEnrollmentApi(this IEndpointRouteBuilder app)
    {
        var patient = app.MapGroup("/api/patients/{patientId}")
            .RequireAuthorization(StaffPolicies.Staff)
            .AddEndpointFilter<PatientIdFilter>()
            .WithTags("Patients")
            .ProducesProblem(StatusCodes.Status404NotFound);

        patient.MapPut("", RecordDemographicsAsync).Validates<DemographicsRequest>().WithSummary("Record demographics (the EHR's feed)");
        patient.MapGet("", GetDemographicsAsync).WithSummary("Demographics");

        var portal = patient.MapGroup("/portal").WithTags("Portal access");
        portal.MapGet("", GetPortalAsync).WithSummary("Portal status; ETag = stream version");
        portal.MapPost("/invitations", InviteAsync).Validates<InvitationRequest>()
            .WithSummary("Invite or re-invite; honours If-Match").ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status409Conflict);
        portal.MapDelete("/invitations/{invitationId:guid}", CancelInvitationAsync).WithSummary("Cancel a pending invitation");
        portal.MapPost("/revocation", RevokeAsync).Validates<RevocationRequest>()
            .RequireAuthorization(StaffPolicies.CanRevoke).WithSummary("Revoke portal access (admins and providers)");
        portal.MapGet("/history", GetHistoryAsync).WithSummary("Every change, oldest first");
        portal.MapPost("/proxies", InviteProxyAsync).Validates<ProxyRequest>().WithSummary("Invite a caregiver to proxy access");
        portal.MapGet("/proxies", GetProxiesAsync).WithSummary("Caregivers with proxy access or a pending invitation");
        portal.MapDelete("/proxies/{proxyId:guid}", RevokeProxyAsync).WithSummary("Withdraw a caregiver's proxy access");

        var practice = app.MapGroup("/api/practice").RequireAuthorization(StaffPolicies.Staff).WithTags("Practice");
        practice.MapGet("/portal-settings", GetSettingsAsync).WithSummary("Practice portal settings");
        practice.MapPut("/portal-settings", PutSettingsAsync).Validates<PortalSettingsRequest>()
            .RequireAuthorization(StaffPolicies.Admin).WithSummary("Change practice portal settings (admins)");
        practice.MapGet("/portal-statuses", GetDashboardAsync).WithSummary("The practice's patients by portal status, with counts");
        return app;
    }

    internal static StaffUser Staff(HttpContext http) =>
        StaffUser.From(http.User) ?? throw new InvalidOperationException("the Staff policy admits only tokens StaffUser can read");

    internal static Actor ActorOf(StaffUser user) => new(user.UserId, user.Role);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static async Task<IResult> RecordDemographicsAsync(
        string patientId, DemographicsRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var user = Staff(http);
        var outcome = await PortalAccessStream.DecideAsync(session, user.PracticeId, patientId, expectedVersion: null,
            _ => new RecordDemographics(request.FirstName!.Trim(), request.LastName!.Trim(), request.DateOfBirth!.Value,
                Blank(request.Email), Blank(request.Phone), ActorOf(user), clock.GetUtcNow()), ct);
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (Exception ex) when (PortalAccessStream.IsConcurrencyConflict(ex))
        {
            return Problems.Conflict("The patient changed at the same time; send the demographics again.");
        }

        var d = outcome.After.Demographics!;
        return TypedResults.Ok(new DemographicsResponse(patientId, d.FirstName, d.LastName, d.DateOfBirth, d.Email, d.Phone));
    }

    private static async Task<IResult> GetDemographicsAsync(string patientId, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var user = Staff(http);
        var state = await PortalAccessStream.LoadAsync(session, user.PracticeId, patientId, ct);
        return state.Demographics is { } d
            ? TypedResults.Ok(new DemographicsResponse(patientId, d.FirstName, d.LastName, d.DateOfBirth, d.Email, d.Phone))
            : Problems.NotFound();
    }

    private static async Task<IResult> GetPortalAsync(string patientId, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var view = await LoadViewAsync(session, Staff(http), patientId, ct);
        if (view is null)
        {
            return Problems.NotFound();
        }

        http.Response.SetETag(view.Version);
        return TypedResults.Ok(PortalResponse.From(view));
    }

    private static async Task<IResult> InviteAsync(
        string patientId, InvitationRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var user = Staff(http);
        var settings = await PracticeSettingsStore.LoadAsync(session, user.PracticeId, ct);
        var invitationId = Guid.CreateVersion7();
        return await RunAsync(http, session, patientId,
            _ => new InvitePatient(invitationId, Blank(request.Email), Blank(request.Phone), settings, ActorOf(user), clock.GetUtcNow()),
            outcome => TypedResults.Created($"/api/patients/{patientId}/portal",
                new InvitationCreatedResponse(invitationId, outcome.After.Invitation!.ExpiresAt, outcome.After.Status)), ct);
    }

    private static Task<IResult> CancelInvitationAsync(
        string patientId, Guid invitationId, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        RunAsync(http, session, patientId, _ => new CancelInvitation(invitationId, ActorOf(Staff(http)), clock.GetUtcNow()),
            outcome => TypedResults.Ok(StatusResponse.From(outcome)), ct);

    private static Task<IResult> RevokeAsync(
        string patientId, RevocationRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        RunAsync(http, session, patientId,
            _ => new RevokeAccess(Enum.Parse<RevocationReason>(request.Reason!, ignoreCase: true), Blank(request.Note), ActorOf(Staff(http)), clock.GetUtcNow(),
                request.Harm),
            outcome => TypedResults.Ok(StatusResponse.From(outcome)), ct);

    private static async Task<IResult> GetHistoryAsync(string patientId, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var user = Staff(http);
        var history = await session.LoadAsync<PortalHistory>(PortalAccessStream.IdOf(user.PracticeId, patientId), ct);
        return history is null ? Problems.NotFound() : TypedResults.Ok(new HistoryResponse(patientId, history.Entries));
    }

    private static async Task<IResult> InviteProxyAsync(
        string patientId, ProxyRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var user = Staff(http);
        var settings = await PracticeSettingsStore.LoadAsync(session, user.PracticeId, ct);
        var (proxyId, invitationId) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        return await RunAsync(http, session, patientId,
            _ => new InviteProxy(proxyId, invitationId, request.FirstName!.Trim(), request.LastName!.Trim(), request.DateOfBirth!.Value,
                request.Relationship!.Trim(), Blank(request.Email), Blank(request.Phone), settings, ActorOf(user), clock.GetUtcNow()),
            outcome => TypedResults.Created($"/api/patients/{patientId}/portal/proxies",
                new ProxyCreatedResponse(proxyId, invitationId, ((ProxyInvited)outcome.Decision.Events[0]).ExpiresAt, ProxyStatus.Invited)), ct);
    }

    private static async Task<IResult> GetProxiesAsync(string patientId, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var view = await LoadViewAsync(session, Staff(http), patientId, ct);
        return view is null ? Problems.NotFound() : TypedResults.Ok(view.Proxies.Select(ProxyResponse.From).ToList());
    }

    private static Task<IResult> RevokeProxyAsync(
        string patientId, Guid proxyId, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        RunAsync(http, session, patientId, _ => new RevokeProxy(proxyId, ActorOf(Staff(http)), clock.GetUtcNow()),
            _ => TypedResults.NoContent(), ct);

    private static async Task<IResult> GetSettingsAsync(HttpContext http, IQuerySession session, CancellationToken ct) =>
        TypedResults.Ok(PortalSettingsResponse.From(await PracticeSettingsStore.LoadAsync(session, Staff(http).PracticeId, ct)));

    private static async Task<IResult> PutSettingsAsync(
        PortalSettingsRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var user = Staff(http);
        var current = await PracticeSettingsStore.LoadAsync(session, user.PracticeId, ct);
        var settings = current with
        {
            AutoInvite = request.AutoInvite!.Value,
            WhoCanInvite = Enum.Parse<WhoCanInvite>(request.WhoCanInvite!, ignoreCase: true),
            InvitationLifetimeDays = request.InvitationLifetimeDays!.Value,
            PracticeName = Blank(request.PracticeName) ?? current.PracticeName,
            AutoRenewExpiredInvitations = request.AutoRenewExpiredInvitations ?? current.AutoRenewExpiredInvitations,
            UpdatedBy = user.UserId,
            UpdatedAt = clock.GetUtcNow(),
        };
        session.Store(settings);
        await session.SaveChangesAsync(ct);
        return TypedResults.Ok(PortalSettingsResponse.From(settings));
    }

    private static async Task<IResult> GetDashboardAsync(string? status, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        PortalStatus? filter = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (!Enum.TryParse<PortalStatus>(status, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
            {
                return Problems.Invalid("status", $"'status' must be one of {string.Join(", ", Enum.GetNames<PortalStatus>())}.");
            }

            filter = parsed;
        }

        var dashboard = await session.LoadAsync<PracticeDashboard>(Staff(http).PracticeId, ct) ?? new PracticeDashboard();
        var counts = Enum.GetValues<PortalStatus>().ToDictionary(s => s.ToString(), s => dashboard.Patients.Values.Count(p => p.Status == s));
        var patients = dashboard.Patients
            .Where(p => filter is null || p.Value.Status == filter)
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => new DashboardPatient(p.Key, p.Value.Status, PortalStatusText.For(p.Value.Status), p.Value.Since))
            .ToList();
        return TypedResults.Ok(new DashboardResponse(counts, patients));
    }

    private static async Task<PortalStatusView?> LoadViewAsync(IQuerySession session, StaffUser user, string patientId, CancellationToken ct) =>
        await session.LoadAsync<PortalStatusView>(PortalAccessStream.IdOf(user.PracticeId, patientId), ct);

    /// <summary>Decides a staff command on the patient's stream and commits it with the version check; maps every refusal to a problem.</summary>
    internal static async Task<IResult> RunAsync(
        HttpContext http, IDocumentSession session, string patientId, Func<PortalAccessState, PortalAccessCommand> command,
        Func<CommandOutcome, IResult> onSuccess, CancellationToken ct)
    {
        if (!Versions.TryReadIfMatch(http.Request, out var expected))
        {
            return Problems.Invalid("If-Match", "'If-Match' must be an ETag returned by GET .../portal.");
        }

        var outcome = await PortalAccessStream.DecideAsync(session, Staff(http).PracticeId, patientId, expected, command, ct);
        if (outcome.Before.IsNew)
        {
            return Problems.NotFound();
        }

        if (outcome.StaleVersion)
        {
            return Problems.PreconditionFailed();
        }

        if (outcome.Decision.Rejected)
        {
            return Problems.From(outcome.Decision);
        }

        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (Exception ex) when (PortalAccessStream.IsConcurrencyConflict(ex))
        {
            return expected is null
                ? Problems.Conflict("Someone changed this patient's portal access at the same time; reload and try again.")
                : Problems.PreconditionFailed();
        }

        http.Response.SetETag(outcome.VersionAfter);
        return onSuccess(outcome);
    }
}
