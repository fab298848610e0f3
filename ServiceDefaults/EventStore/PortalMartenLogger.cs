using Marten;
using Marten.Services;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace PortalPlatform.ServiceDefaults.EventStore;

/// <summary>
/// Marten's log, as its default logger writes it, with two differences. An append that lost a race to another append
/// of the same stream is logged at Debug, not Error: the platform expects those and decides again on fresh state (a
/// consumer's retry, a staff command's second decision, or a 412), so an Error there made every invitation whose email
/// and text receipts arrived together look like a failure on the dashboard. And SQL is logged without its parameter
/// values, which can be a patient's details.
/// </summary>
public sealed class PortalMartenLogger(ILogger logger) : IMartenLogger, IMartenSessionLogger
{
    private const string Failed = "Marten encountered an exception executing {SQL}";

    public IMartenSessionLogger StartSession(IQuerySession session) => this;

    public void SchemaChange(string sql) => logger.LogInformation("Executed schema update SQL:\n{SQL}", sql);

    public void OnBeforeExecute(NpgsqlCommand command)
    {
    }

    public void OnBeforeExecute(NpgsqlBatch batch)
    {
    }

    public void LogSuccess(NpgsqlCommand command) => logger.LogDebug("Marten executed {SQL}", command.CommandText);

    public void LogSuccess(NpgsqlBatch batch)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            logger.LogDebug("Marten executed {SQL}", TextOf(batch));
        }
    }

    public void LogFailure(NpgsqlCommand command, Exception ex) => logger.Log(LevelOf(ex), ex, Failed, command.CommandText);

    public void LogFailure(NpgsqlBatch batch, Exception ex) => logger.Log(LevelOf(ex), ex, Failed, TextOf(batch));

    public void LogFailure(Exception ex, string message) => logger.Log(LevelOf(ex), ex, "Marten encountered an exception with message: {MESSAGE}", message);

    public void RecordSavedChanges(IDocumentSession session, IChangeSet commit) =>
        logger.LogDebug("Persisted {UpdateCount} updates, {InsertedCount} inserts and {DeletedCount} deletions",
            commit.Updated.Count(), commit.Inserted.Count(), commit.Deleted.Count());

    /// <summary>
    /// True when another append to the same stream committed first: the stream's row created twice (two first events
    /// at once), an event version taken twice, or Marten's expected-version check (MT003); as PostgreSQL reports it to
    /// the logger, or as Marten then throws it.
    /// </summary>
    public static bool IsLostAppendRace(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "pkey_mt_streams_id" or "pk_mt_events_stream_and_version" }
                or PostgresException { SqlState: "MT003" }
                or Marten.Exceptions.ExistingStreamIdCollisionException or JasperFx.Events.ExistingStreamIdCollisionException
                or JasperFx.ConcurrencyException or JasperFx.Events.EventStreamUnexpectedMaxEventIdException)
            {
                return true;
            }
        }

        return false;
    }

    private static LogLevel LevelOf(Exception exception) => IsLostAppendRace(exception) ? LogLevel.Debug : LogLevel.Error;

    private static string TextOf(NpgsqlBatch batch) => string.Join(";\n", batch.BatchCommands.Cast<NpgsqlBatchCommand>().Select(c => c.CommandText));
}
