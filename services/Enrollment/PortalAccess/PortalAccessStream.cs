using JasperFx.Events;
using Marten;
using Npgsql;
using PortalPlatform.ServiceDefaults;

namespace PortalPlatform.Enrollment.PortalAccess;

/// <summary>The outcome of running a command against a stream: what was decided and the version it was decided on.</summary>
public sealed record CommandOutcome(PortalAccessState Before, Decision Decision, bool StaleVersion)
{
    public long VersionAfter => Before.Version + Decision.Events.Count;

    public PortalAccessState After => Decision.Events.Aggregate(Before, (state, e) => PortalAccessState.Evolve(state, e));
}

/// <summary>
/// Loads a patient's portal-access stream, runs the pure decision, and appends its events with an optimistic
/// version check, so two concurrent conflicting commands never both apply. The caller commits the session.
/// </summary>
public static class PortalAccessStream
{
    public static Guid IdOf(Guid practiceId, string patientId) => DeterministicGuid.Create(practiceId, patientId);

    public static async Task<PortalAccessState> LoadAsync(IQuerySession session, Guid practiceId, string patientId, CancellationToken cancellationToken)
    {
        var events = await session.Events.FetchStreamAsync(IdOf(practiceId, patientId), token: cancellationToken);
        return PortalAccessState.Fold(practiceId, patientId, events.Select(e => e.Data));
    }

    /// <param name="expectedVersion">The version the caller saw (If-Match); null when any version will do.</param>
    public static async Task<CommandOutcome> DecideAsync(
        IDocumentSession session, Guid practiceId, string patientId, long? expectedVersion,
        Func<PortalAccessState, PortalAccessCommand> command, CancellationToken cancellationToken)
    {
        var state = await LoadAsync(session, practiceId, patientId, cancellationToken);
        if (expectedVersion is { } expected && expected != state.Version)
        {
            return new CommandOutcome(state, Decision.Nothing, StaleVersion: true);
        }

        var decision = command(state).Decide(state);
        if (decision.Events.Count > 0)
        {
            var streamId = IdOf(practiceId, patientId);
            var events = decision.Events.Cast<object>().ToArray();
            if (state.IsNew)
            {
                session.Events.StartStream(streamId, events);
            }
            else
            {
                // Marten checks that the stream ends at this version after the append, i.e. nobody appended in between.
                session.Events.Append(streamId, state.Version + events.Length, events);
            }
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
