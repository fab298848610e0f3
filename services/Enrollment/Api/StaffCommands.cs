using Marten;
using PortalPlatform.Enrollment.PortalAccess;
using PortalPlatform.Enrollment.Settings;

namespace PortalPlatform.Enrollment.Api;

/// <summary>Runs a staff command on a patient's stream over HTTP: If-Match, decision, commit, and a problem for every refusal.</summary>
internal static class StaffCommands
{
    /// <summary>How often a command without If-Match is decided again after losing a race to another append.</summary>
    public const int Attempts = 10;

    /// <param name="creates">True when the command may start the stream (demographics); If-Match is not read then.</param>
    public static async Task<IResult> RunAsync(
        HttpContext http, IDocumentStore store, string patientId, Func<PracticePortalSettings, PortalAccessCommand> command,
        Func<CommandOutcome, IResult> onSuccess, CancellationToken ct, bool creates = false)
    {
        long? expected = null;
        if (!creates && !Versions.TryReadIfMatch(http.Request, out expected))
        {
            return Problems.Invalid("If-Match", "'If-Match' must be an ETag returned by GET .../portal.");
        }

        var practiceId = http.Staff().PracticeId;
        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            var outcome = await PortalAccessStream.DecideAsync(session, practiceId, patientId, expected, command, ct);
            if (outcome.Before.IsNew && !creates)
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
                // With If-Match the staff member decided on what they saw, and that changed: only they can decide again.
                // Without it the command is decided again on the fresh state, as if it had come a moment later.
                if (expected is not null)
                {
                    return Problems.PreconditionFailed();
                }

                if (attempt < Attempts)
                {
                    continue;
                }

                return Problems.Conflict("This patient's portal access kept changing at the same time; reload and try again.");
            }

            http.Response.SetETag(outcome.VersionAfter);
            return onSuccess(outcome);
        }
    }
}
