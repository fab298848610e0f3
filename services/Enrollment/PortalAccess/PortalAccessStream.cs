using JasperFx.Events;
using Marten;
using Npgsql;
using PortalPlatform.Enrollment.Settings;
using PortalPlatform.ServiceDefaults;

namespace PortalPlatform.Enrollment.PortalAccess;

/// <summary>The outcome of running a command against a stream: what was decided and the version it was decided on.</summary>
public sealed record CommandOutcome(PortalAccessState Before, Decision Decision, bool StaleVersion)
{
    public long VersionAfter => Before.Version + Decision.Events.Count;

    public PortalAccessState After => Decision.Events.Aggregate(Before, (state, e) => PortalAccessState.After(state, e));
}

/// <summary>
/// Load-decide-append on a patient's portal-access stream through Marten's FetchForWriting: one round trip reads
/// the aggregate document with its version and the practice's settings; the commit writes the events and the
/// aggregate in one batch and fails when anyone appended in between. The caller commits the session.
/// </summary>
public static class PortalAccessStream
{
    public static Guid IdOf(Guid practiceId, string patientId) => DeterministicGuid.Create(practiceId, patientId);

    /// <param name="expectedVersion">The version the caller saw (If-Match); null when any version will do.</param>
    /// <param name="command">The command, given the practice's settings (read in the same round trip as the stream).</param>
    public static async Task<CommandOutcome> DecideAsync(
        IDocumentSession session, Guid practiceId, string patientId, long? expectedVersion,
        Func<PracticePortalSettings, PortalAccessCommand> command, CancellationToken cancellationToken)
    {
        var batch = session.CreateBatchQuery();
        var fetching = batch.Events.FetchForWriting<PortalAccessState>(IdOf(practiceId, patientId));
        var loadingSettings = batch.Load<PracticePortalSettings>(practiceId);
        await batch.Execute(cancellationToken);
        var stream = await fetching;
        var settings = await loadingSettings ?? PracticePortalSettings.DefaultFor(practiceId);

        var state = stream.Aggregate ?? PortalAccessState.Initial(practiceId, patientId);
        if (expectedVersion is { } expected && expected != state.Version)
        {
            return new CommandOutcome(state, Decision.Nothing, StaleVersion: true);
        }

        var decision = command(settings).Decide(state);
        if (decision.Events.Count > 0)
        {
            // Marten checks at commit that the stream is still at the version fetched above.
            stream.AppendMany(decision.Events.Cast<object>().ToArray());
        }

        return new CommandOutcome(state, decision, StaleVersion: false);
    }

    /// <summary>True when the commit failed because someone else appended to the stream first.</summary>
    public static bool IsConcurrencyConflict(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is ExistingStreamIdCollisionException
                || e.GetType().Name.Contains("Concurrency", StringComparison.Ordinal)
                || e.GetType().Name.Contains("UnexpectedMaxEventId", StringComparison.Ordinal)
                || e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                return true;
            }
        }

        return false;
    }
}
