using FluentValidation;
using Marten;
using PortalPlatform.Enrollment.Api;
using PortalPlatform.Enrollment.PortalAccess;

namespace PortalPlatform.Enrollment.Proxies;

public sealed record ProxyRequest(string? FirstName, string? LastName, DateOnly? DateOfBirth, string? Relationship, string? Email, string? Phone);

public sealed record ProxyCreatedResponse(Guid ProxyId, Guid InvitationId, DateTimeOffset ExpiresAt, ProxyStatus Status);

public sealed record ProxyResponse(
    Guid ProxyId, Guid InvitationId, string FirstName, string LastName, string Relationship, string? Email, string? Phone,
    ProxyStatus Status, DateTimeOffset InvitedAt, DateTimeOffset UpdatedAt)
{
    public static ProxyResponse From(Proxy p) =>
        new(p.Id, p.InvitationId, p.FirstName, p.LastName, p.Relationship, p.Email, p.Phone, p.Status, p.InvitedAt, p.UpdatedAt);
}

public sealed class ProxyRequestValidator : AbstractValidator<ProxyRequest>
{
    public ProxyRequestValidator(TimeProvider clock)
    {
        RuleFor(r => r.FirstName).NotEmpty().MaximumLength(ContactRules.MaxNameLength);
        RuleFor(r => r.LastName).NotEmpty().MaximumLength(ContactRules.MaxNameLength);
        RuleFor(r => r.Relationship).NotEmpty().MaximumLength(50);
        RuleFor(r => r.DateOfBirth).NotNull()
            .Must(d => d <= DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime)).WithMessage("'Date Of Birth' cannot be in the future.");
        RuleFor(r => r.Email).ValidEmail().When(r => !string.IsNullOrEmpty(r.Email));
        RuleFor(r => r.Phone).ValidPhone().When(r => !string.IsNullOrEmpty(r.Phone));
        RuleFor(r => r.Email).NotEmpty().When(r => string.IsNullOrEmpty(r.Phone))
            .WithMessage("A proxy invitation needs an email address or a phone number.");
    }
}

/// <summary>.../portal/proxies: invite a caregiver, list them, withdraw one.</summary>
internal static class ProxyEndpoints
{
    public static void Map(RouteGroupBuilder portal)
    {
        portal.MapPost("/proxies", InviteAsync).Validates<ProxyRequest>().WithSummary("Invite a caregiver to proxy access");
        portal.MapGet("/proxies", ListAsync).WithSummary("Caregivers with proxy access or a pending invitation");
        portal.MapDelete("/proxies/{proxyId:guid}", RevokeAsync).WithSummary("Withdraw a caregiver's proxy access");
    }

    private static async Task<IResult> InviteAsync(
        string patientId, ProxyRequest request, HttpContext http, IDocumentStore store, TimeProvider clock, CancellationToken ct)
    {
        var user = http.Staff();
        var (proxyId, invitationId) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        return await StaffCommands.RunAsync(http, store, patientId,
            settings => new InviteProxy(proxyId, invitationId, request.FirstName!.Trim(), request.LastName!.Trim(), request.DateOfBirth!.Value,
                request.Relationship!.Trim(), StaffRequests.Blank(request.Email), StaffRequests.Phone(request.Phone), settings, user.Actor(), clock.GetUtcNow()),
            outcome => TypedResults.Created($"/api/patients/{patientId}/portal/proxies",
                new ProxyCreatedResponse(proxyId, invitationId, ((ProxyInvited)outcome.Decision.Events[0]).ExpiresAt, ProxyStatus.Invited)), ct);
    }

    private static async Task<IResult> ListAsync(string patientId, HttpContext http, IQuerySession session, CancellationToken ct)
    {
        var state = await session.LoadAsync<PortalAccessState>(PortalAccessStream.IdOf(http.Staff().PracticeId, patientId), ct);
        return state is null
            ? Problems.NotFound()
            : TypedResults.Ok(state.Proxies.Values.OrderBy(p => p.InvitedAt).ThenBy(p => p.Id).Select(ProxyResponse.From).ToList());
    }

    private static Task<IResult> RevokeAsync(
        string patientId, Guid proxyId, HttpContext http, IDocumentStore store, TimeProvider clock, CancellationToken ct) =>
        StaffCommands.RunAsync(http, store, patientId, _ => new RevokeProxy(proxyId, http.Staff().Actor(), clock.GetUtcNow()),
            _ => TypedResults.NoContent(), ct);
}
