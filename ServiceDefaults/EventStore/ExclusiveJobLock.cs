using System.Text;
using Npgsql;

namespace PortalPlatform.ServiceDefaults.EventStore;

/// <summary>
/// Makes a periodic job run on one replica at a time: a PostgreSQL session advisory lock per job name, taken with
/// <c>pg_try_advisory_lock</c> (never waits) for one run and released after it. A replica that dies mid-run loses its
/// session and with it the lock, so the next run on any replica goes ahead.
/// </summary>
public sealed class ExclusiveJobLock(NpgsqlDataSource dataSource)
{
    /// <summary>First key of every job lock (two-key form), apart from Marten's daemon locks (one-key form).</summary>
    public const int JobLockSpace = 0x504A4F42; // "PJOB"

    /// <summary>Runs <paramref name="work"/> unless another replica runs the same job now; false when it was skipped.</summary>
    public async Task<bool> TryRunAsync(string job, Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await ExecuteAsync(connection, "SELECT pg_try_advisory_lock($1, $2)", job, cancellationToken))
        {
            return false;
        }

        try
        {
            await work(cancellationToken);
            return true;
        }
        finally
        {
            // Explicitly: a pooled connection keeps its session (and the lock) until it is reused.
            await ExecuteAsync(connection, "SELECT pg_advisory_unlock($1, $2)", job, CancellationToken.None);
        }
    }

    private static async Task<bool> ExecuteAsync(NpgsqlConnection connection, string sql, string job, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = JobLockSpace }, new() { Value = AdvisoryLocks.KeyOf(job) } } };
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}

public static class AdvisoryLocks
{
    /// <summary>A lock key from a name, the same in every process (FNV-1a; <c>string.GetHashCode</c> differs per process).</summary>
    public static int KeyOf(string name)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            hash = unchecked((hash ^ b) * 16777619u);
        }

        return unchecked((int)hash);
    }
}
