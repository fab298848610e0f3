using FluentValidation;
using Marten;
using PortalPlatform.Enrollment.Api;
using PortalPlatform.ServiceDefaults.Security;

namespace PortalPlatform.Enrollment.Settings;

/// <summary>Omitted AutoRenewExpiredInvitations keeps the current value.</summary>
public sealed record PortalSettingsRequest(
    bool? AutoInvite, string? WhoCanInvite, int? InvitationLifetimeDays, string? PracticeName, bool? AutoRenewExpiredInvitations = null);

public sealed record PortalSettingsResponse(
    bool AutoInvite, WhoCanInvite WhoCanInvite, int InvitationLifetimeDays, string PracticeName, bool AutoRenewExpiredInvitations)
{
    public static PortalSettingsResponse From(PracticePortalSettings s) =>
        new(s.AutoInvite, s.WhoCanInvite, s.InvitationLifetimeDays, s.PracticeName, s.AutoRenewExpiredInvitations);
}

public sealed class PortalSettingsRequestValidator : AbstractValidator<PortalSettingsRequest>
{
    public PortalSettingsRequestValidator()
    {
        RuleFor(r => r.AutoInvite).NotNull();
        RuleFor(r => r.WhoCanInvite).NotEmpty().IsEnumName(typeof(WhoCanInvite), caseSensitive: false)
            .WithMessage("'Who Can Invite' must be AllUsers or AdminsOnly.");
        RuleFor(r => r.InvitationLifetimeDays).NotNull().InclusiveBetween(1, 90);
        RuleFor(r => r.PracticeName).MaximumLength(200);
    }
}

/// <summary>GET and PUT /api/practice/portal-settings.</summary>
internal static class SettingsEndpoints
{
    public static void Map(RouteGroupBuilder practice)
    {
        practice.MapGet("/portal-settings", GetAsync).WithSummary("Practice portal settings");
        practice.MapPut("/portal-settings", PutAsync).Validates<PortalSettingsRequest>()
            .RequireAuthorization(StaffPolicies.Admin).WithSummary("Change practice portal settings (admins)");
    }

    private static async Task<IResult> GetAsync(HttpContext http, IQuerySession session, CancellationToken ct) =>
        TypedResults.Ok(PortalSettingsResponse.From(await LoadAsync(session, http.Staff().PracticeId, ct)));

    private static async Task<IResult> PutAsync(
        PortalSettingsRequest request, HttpContext http, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var user = http.Staff();
        var current = await LoadAsync(session, user.PracticeId, ct);
        var settings = current with
        {
            AutoInvite = request.AutoInvite!.Value,
            WhoCanInvite = Enum.Parse<WhoCanInvite>(request.WhoCanInvite!, ignoreCase: true),
            InvitationLifetimeDays = request.InvitationLifetimeDays!.Value,
            PracticeName = StaffRequests.Blank(request.PracticeName) ?? current.PracticeName,
            AutoRenewExpiredInvitations = request.AutoRenewExpiredInvitations ?? current.AutoRenewExpiredInvitations,
            UpdatedBy = user.UserId,
            UpdatedAt = clock.GetUtcNow(),
        };
        session.Store(settings);
        await session.SaveChangesAsync(ct);
        return TypedResults.Ok(PortalSettingsResponse.From(settings));
    }

    /// <summary>The practice's saved settings, or the defaults when it never saved any.</summary>
    private static async Task<PracticePortalSettings> LoadAsync(IQuerySession session, Guid practiceId, CancellationToken ct) =>
        await session.LoadAsync<PracticePortalSettings>(practiceId, ct) ?? PracticePortalSettings.DefaultFor(practiceId);
}
