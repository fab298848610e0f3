using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Inviting;
using PortalPlatform.Enrollment.PortalAccess;
using PortalPlatform.Enrollment.Settings;

namespace PortalPlatform.Enrollment.AutoInviting;

/// <summary>A provider signed an encounter: invite if the practice's auto-invite rule says so.</summary>
public sealed record AutoInvitePatient(Guid InvitationId, PracticePortalSettings Settings, DateTimeOffset Now)
    : PortalAccessCommand(Actor.AutoInvite, Now)
{
    public const int MinimumAge = 18;
    public const int MaximumAge = 85;

    /// <summary>Setting on, patient 18 to 85 on the day, email and phone on file, never invited.</summary>
    public override Decision Decide(PortalAccessState state)
    {
        if (!Settings.AutoInvite
            || state.Demographics is not { Email: not null, Phone: not null } demographics
            || state.Status != PortalStatus.NotInvited
            || !IsAutoInviteAge(demographics.DateOfBirth, DateOnly.FromDateTime(Now.UtcDateTime)))
        {
            return Decision.Nothing;
        }

        return Decision.Of(InvitationIssued.For(state, InvitationId, demographics.Email, demographics.Phone, Settings, Actor, Now));
    }

    public static bool IsAutoInviteAge(DateOnly dateOfBirth, DateOnly today)
    {
        var age = today.Year - dateOfBirth.Year;
        age = dateOfBirth.AddYears(age) > today ? age - 1 : age;
        return age is >= MinimumAge and <= MaximumAge;
    }
}
