using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.AccessRequests;
using PortalPlatform.Enrollment.Settings;

namespace PortalPlatform.Enrollment.PortalAccess;

public enum RejectionKind
{
    /// <summary>The patient (or the named invitation or proxy) does not exist for this practice.</summary>
    NotFound,

    /// <summary>The actor may not do this.</summary>
    Forbidden,

    /// <summary>The command does not fit the current status.</summary>
    Conflict,

    /// <summary>The command itself is incomplete (a named field).</summary>
    Invalid,
}

/// <summary>The outcome of a decision: the events to append (possibly none), or why the command was refused.</summary>
public sealed record Decision(IReadOnlyList<IPortalAccessEvent> Events, RejectionKind? Rejection = null, string? Detail = null, string? Field = null)
{
    public static Decision Nothing { get; } = new([]);

    public bool Rejected => Rejection is not null;

    public static Decision Of(params IPortalAccessEvent[] events) => new(events);

    public static Decision Reject(RejectionKind kind, string detail, string? field = null) => new([], kind, detail, field);
}

/// <summary>The rules of portal access: pure functions from the current state and a command to new events.</summary>
public static class PortalAccessDecisions
{
    public const int MinimumAutoInviteAge = 18;
    public const int MaximumAutoInviteAge = 85;

    public static Decision Decide(PortalAccessState state, PortalAccessCommand command) => command switch
    {
        RecordDemographics c => Record(state, c),
        InvitePatient c => Invite(state, c),
        AutoInvitePatient c => AutoInvite(state, c),
        CancelInvitation c => Cancel(state, c),
        RevokeAccess c => Revoke(state, c),
        ExpireInvitation c => Expire(state, c),
        RecordDelivery c => Deliver(state, c),
        LockVerification c => Lock(state, c),
        CompleteRegistration c => Complete(state, c),
        InviteProxy c => InviteCaregiver(state, c),
        RevokeProxy c => RevokeCaregiver(state, c),
        RecordAccessRequest c => AccessRequestDecisions.Record(state, c),
        DeclineAccessRequest c => AccessRequestDecisions.Decline(state, c),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "no rule for this command"),
    };

    private static Decision Record(PortalAccessState state, RecordDemographics c)
    {
        var demographics = new Demographics(c.FirstName, c.LastName, c.DateOfBirth, c.Email, c.Phone);
        return demographics == state.Demographics
            ? Decision.Nothing
            : Decision.Of(new DemographicsRecorded(state.PracticeId, state.PatientId, c.FirstName, c.LastName, c.DateOfBirth, c.Email, c.Phone, c.Actor.Id, c.Now));
    }

    private static Decision Invite(PortalAccessState state, InvitePatient c)
    {
        if (state.Demographics is null)
        {
            return Decision.Reject(RejectionKind.NotFound, "No such patient.");
        }

        if (c.Settings.WhoCanInvite == WhoCanInvite.AdminsOnly && !c.Actor.IsAdmin)
        {
            return Decision.Reject(RejectionKind.Forbidden, "This practice lets only admins invite patients to the portal.");
        }

        if (state.Status == PortalStatus.Enrolled)
        {
            return Decision.Reject(RejectionKind.Conflict, "The patient is already enrolled; revoke access before inviting again.");
        }

        if (AccessRequestDecisions.ReviewRefusal(state, c.Actor) is { } refusal)
        {
            return refusal;
        }

        var email = c.Email ?? state.Demographics.Email;
        var phone = c.Phone ?? state.Demographics.Phone;
        if (email is null && phone is null)
        {
            return Decision.Reject(RejectionKind.Invalid, "An invitation needs an email address or a phone number.", "email");
        }

        var issued = Issue(state, c.InvitationId, email, phone, c.Settings, c.Actor, c.Now);
        return Decision.Of([issued, .. AccessRequestDecisions.AnsweredBy(state, issued)]);
    }

    private static Decision AutoInvite(PortalAccessState state, AutoInvitePatient c)
    {
        if (!c.Settings.AutoInvite
            || state.Demographics is not { Email: not null, Phone: not null } demographics
            || state.Status != PortalStatus.NotInvited
            || !IsAutoInviteAge(demographics.DateOfBirth, DateOnly.FromDateTime(c.Now.UtcDateTime)))
        {
            return Decision.Nothing;
        }

        return Decision.Of(Issue(state, c.InvitationId, demographics.Email, demographics.Phone, c.Settings, c.Actor, c.Now));
    }

    public static bool IsAutoInviteAge(DateOnly dateOfBirth, DateOnly today)
    {
        var age = AgeOn(dateOfBirth, today);
        return age is >= MinimumAutoInviteAge and <= MaximumAutoInviteAge;
    }

    public static int AgeOn(DateOnly dateOfBirth, DateOnly today)
    {
        var age = today.Year - dateOfBirth.Year;
        return dateOfBirth.AddYears(age) > today ? age - 1 : age;
    }

    internal static InvitationIssued Issue(
        PortalAccessState state, Guid invitationId, string? email, string? phone, PracticePortalSettings settings, Actor actor, DateTimeOffset now)
    {
        var template = state.RevokedSinceLastEnrollment ? InvitationTemplate.Reinvitation : InvitationTemplate.Invitation;
        return new InvitationIssued(
            state.PracticeId, state.PatientId, invitationId, now, now.AddDays(settings.InvitationLifetimeDays), actor.Id,
            settings.PracticeName, state.Demographics!.FirstName, state.Demographics.DateOfBirth, email, phone, template,
            state.Invitation?.Id, state.Status);
    }

    private static Decision Cancel(PortalAccessState state, CancelInvitation c)
    {
        if (state.IsNew || state.Invitation?.Id != c.InvitationId)
        {
            return Decision.Reject(RejectionKind.NotFound, "No such invitation.");
        }

        if (state.Status != PortalStatus.Invited)
        {
            return Decision.Reject(RejectionKind.Conflict, "Only a pending invitation can be cancelled.");
        }

        return Decision.Of(new InvitationCancelled(state.PracticeId, state.PatientId, c.InvitationId, c.Actor.Id, c.Now, state.StatusBeforeInvitation));
    }

    private static Decision Revoke(PortalAccessState state, RevokeAccess c)
    {
        if (state.IsNew)
        {
            return Decision.Reject(RejectionKind.NotFound, "No such patient.");
        }

        if (!c.Actor.MayRevoke)
        {
            return Decision.Reject(RejectionKind.Forbidden, "Only admins and providers may revoke portal access.");
        }

        if (!Enum.IsDefined(c.Reason))
        {
            return Decision.Reject(RejectionKind.Invalid, "Revoking needs one of the listed reasons.", "reason");
        }

        if ((c.Reason == RevocationReason.PreventingHarm) != (c.Harm is not null))
        {
            return Decision.Reject(RejectionKind.Invalid, c.Harm is null
                ? "A PreventingHarm revocation needs the deciding clinician, the basis and the scope."
                : "The deciding clinician, basis and scope belong to a PreventingHarm revocation only.", "decidingClinicianId");
        }

        if (state.Status is PortalStatus.NotInvited or PortalStatus.AccessRevoked)
        {
            return Decision.Reject(RejectionKind.Conflict, state.Status == PortalStatus.AccessRevoked
                ? "Access is already revoked."
                : "The patient has no portal access to revoke.");
        }

        return Decision.Of(new AccessRevoked(
            state.PracticeId, state.PatientId, c.Reason, c.Note, c.Actor.Id, c.Actor.Role, c.Now, state.Status, state.PendingInvitation?.Id, c.Harm));
    }

    private static Decision Expire(PortalAccessState state, ExpireInvitation c) =>
        state.PendingInvitation is { } pending && pending.Id == c.InvitationId && c.Now >= pending.ExpiresAt
            ? Decision.Of(new InvitationExpired(state.PracticeId, state.PatientId, pending.Id, c.Now))
            : Decision.Nothing;

    private static Decision Deliver(PortalAccessState state, RecordDelivery c)
    {
        if (state.PendingInvitation?.Id != c.InvitationId)
        {
            return Decision.Nothing; // a voided invitation's delivery report changes nothing
        }

        return c.Delivered
            ? Decision.Of(new InvitationDelivered(state.PracticeId, state.PatientId, c.InvitationId, c.DeliveryId, c.Channel, c.Now))
            : Decision.Of(new InvitationDeliveryFailed(state.PracticeId, state.PatientId, c.InvitationId, c.DeliveryId, c.Channel, c.FailureReason ?? "unknown", c.Permanent, c.Now));
    }

    private static Decision Lock(PortalAccessState state, LockVerification c) =>
        state.PendingInvitation?.Id == c.InvitationId
            ? Decision.Of(new VerificationLocked(state.PracticeId, state.PatientId, c.InvitationId, c.FailedAttempts, c.Now))
            : Decision.Nothing;

    private static Decision Complete(PortalAccessState state, CompleteRegistration c)
    {
        if (state.PendingInvitation?.Id == c.InvitationId)
        {
            return Decision.Of(new RegistrationCompleted(state.PracticeId, state.PatientId, c.InvitationId, c.AccountId, c.Now));
        }

        var proxy = state.Proxies.Values.FirstOrDefault(p => p.InvitationId == c.InvitationId && p.Status == ProxyStatus.Invited);
        return proxy is null
            ? Decision.Nothing
            : Decision.Of(new ProxyAccessGranted(state.PracticeId, state.PatientId, proxy.Id, c.InvitationId, proxy.Relationship, proxy.InvitedBy, c.Now));
    }

    private static Decision InviteCaregiver(PortalAccessState state, InviteProxy c)
    {
        if (state.Demographics is null)
        {
            return Decision.Reject(RejectionKind.NotFound, "No such patient.");
        }

        if (c.Settings.WhoCanInvite == WhoCanInvite.AdminsOnly && !c.Actor.IsAdmin)
        {
            return Decision.Reject(RejectionKind.Forbidden, "This practice lets only admins invite to the portal.");
        }

        if (c.Email is null && c.Phone is null)
        {
            return Decision.Reject(RejectionKind.Invalid, "A proxy invitation needs an email address or a phone number.", "email");
        }

        return Decision.Of(new ProxyInvited(
            state.PracticeId, state.PatientId, c.ProxyId, c.InvitationId, c.FirstName, c.LastName, c.DateOfBirth, c.Relationship,
            c.Email, c.Phone, c.Settings.PracticeName, c.Actor.Id, c.Now, c.Now.AddDays(c.Settings.InvitationLifetimeDays)));
    }

    private static Decision RevokeCaregiver(PortalAccessState state, RevokeProxy c)
    {
        if (!state.Proxies.TryGetValue(c.ProxyId, out var proxy))
        {
            return Decision.Reject(RejectionKind.NotFound, "No such proxy.");
        }

        if (!c.Actor.MayRevoke)
        {
            return Decision.Reject(RejectionKind.Forbidden, "Only admins and providers may revoke proxy access.");
        }

        return proxy.Status == ProxyStatus.Revoked
            ? Decision.Reject(RejectionKind.Conflict, "Proxy access is already revoked.")
            : Decision.Of(new ProxyAccessRevoked(state.PracticeId, state.PatientId, c.ProxyId, c.Actor.Id, c.Now));
    }
}
