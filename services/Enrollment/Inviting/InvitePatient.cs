using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.AccessRequests;
using PortalPlatform.Enrollment.PortalAccess;
using PortalPlatform.Enrollment.Settings;

namespace PortalPlatform.Enrollment.Inviting;

/// <summary>An invitation was issued; any earlier pending invitation is void from now on.</summary>
public sealed record InvitationIssued(
    Guid PracticeId, string PatientId, Guid InvitationId, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt,
    string IssuedBy, string PracticeName, string FirstName, DateOnly DateOfBirth, string? Email, string? Phone,
    InvitationTemplate Template, Guid? ReplacesInvitationId, PortalStatus PreviousStatus) : IPortalAccessEvent
{
    /// <summary>The invitation for this state; after a revocation the template is Reinvitation.</summary>
    public static InvitationIssued For(
        PortalAccessState state, Guid invitationId, string? email, string? phone, PracticePortalSettings settings, Actor actor, DateTimeOffset now) =>
        new(state.PracticeId, state.PatientId, invitationId, now, now.AddDays(settings.InvitationLifetimeDays), actor.Id,
            settings.PracticeName, state.Demographics!.FirstName, state.Demographics.DateOfBirth, email, phone,
            state.RevokedSinceLastEnrollment ? InvitationTemplate.Reinvitation : InvitationTemplate.Invitation,
            state.Invitation?.Id, state.Status);
}

/// <summary>Invite or re-invite. Null email/phone means "use the demographics".</summary>
public sealed record InvitePatient(
    Guid InvitationId, string? Email, string? Phone, PracticePortalSettings Settings, Actor Actor, DateTimeOffset Now)
    : PortalAccessCommand(Actor, Now)
{
    public override Decision Decide(PortalAccessState state)
    {
        if (state.Demographics is null)
        {
            return Decision.Reject(RejectionKind.NotFound, "No such patient.");
        }

        if (Settings.WhoCanInvite == WhoCanInvite.AdminsOnly && !Actor.IsAdmin)
        {
            return Decision.Reject(RejectionKind.Forbidden, "This practice lets only admins invite patients to the portal.");
        }

        if (state.Status == PortalStatus.Enrolled)
        {
            return Decision.Reject(RejectionKind.Conflict, "The patient is already enrolled; revoke access before inviting again.");
        }

        if (AccessRequestDecisions.ReviewRefusal(state, Actor) is { } refusal)
        {
            return refusal;
        }

        var email = Email ?? state.Demographics.Email;
        var phone = Phone ?? state.Demographics.Phone;
        if (email is null && phone is null)
        {
            return Decision.Reject(RejectionKind.Invalid, "An invitation needs an email address or a phone number.", "email");
        }

        var issued = InvitationIssued.For(state, InvitationId, email, phone, Settings, Actor, Now);
        return Decision.Of([issued, .. AccessRequestDecisions.AnsweredBy(state, issued)]);
    }
}
