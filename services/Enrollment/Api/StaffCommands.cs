using Marten;
using PortalPlatform.Enrollment.PortalAccess;

namespace PortalPlatform.Enrollment.Api;

/// <summary>Runs a staff command on a patient's stream over HTTP: If-Match, decision, commit, and a problem for every refusal.</summary>
internal static class StaffCommands
{
    public static async Task<IResult> RunAsync(
        HttpContext http, IDocumentSession session, string patientId, Func<PortalAccessState, PortalAccessCommand> command,
        Func<CommandOutcome, IResult> onSuccess, CancellationToken ct)
    {
        if (!Versions.TryReadIfMatch(http.Request, out var expected))
        {
            return Problems.Invalid("If-Match", "'If-Match' must be an ETag returned by GET .../portal.");
        }

        var outcome = await PortalAccessStream.DecideAsync(session, http.Staff().PracticeId, patientId, expected, command, ct);
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
