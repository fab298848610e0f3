namespace PortalPlatform.Enrollment.Settings;

public enum WhoCanInvite
{
    AllUsers,
    AdminsOnly,
}

/// <summary>A practice's portal settings (one document per practice, id = practice id).</summary>
/// <param name="AutoRenewExpiredInvitations">A patient with an expired link who passes the date-of-birth check gets a fresh invitation at once.</param>
public sealed record PracticePortalSettings(
    Guid Id, bool AutoInvite, WhoCanInvite WhoCanInvite, int InvitationLifetimeDays, string PracticeName,
    string? UpdatedBy = null, DateTimeOffset? UpdatedAt = null, bool AutoRenewExpiredInvitations = false)
{
    public const int DefaultLifetimeDays = 14;
    public const string DefaultPracticeName = "Your practice";

    /// <summary>What a practice that never saved its settings gets (DESIGN.md: 14 days, everyone may invite).</summary>
    public static PracticePortalSettings DefaultFor(Guid practiceId) =>
        new(practiceId, AutoInvite: false, WhoCanInvite.AllUsers, DefaultLifetimeDays, DefaultPracticeName);
}
