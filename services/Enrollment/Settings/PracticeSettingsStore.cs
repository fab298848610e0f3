using Marten;

namespace PortalPlatform.Enrollment.Settings;

public static class PracticeSettingsStore
{
    /// <summary>The practice's saved settings, or the defaults when it never saved any.</summary>
    public static async Task<PracticePortalSettings> LoadAsync(IQuerySession session, Guid practiceId, CancellationToken cancellationToken) =>
        await session.LoadAsync<PracticePortalSettings>(practiceId, cancellationToken) ?? PracticePortalSettings.DefaultFor(practiceId);
}
