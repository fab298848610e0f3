using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Npgsql;

namespace PortalPlatform.AppHost.Tests.Replicas;

/// <summary>The database session holding a service's daemon lock: its backend process and the client's local port.</summary>
public sealed record LockHolder(int Backend, int ClientPort);

/// <summary>
/// Reads, in each service's own database, who holds the Marten daemon's advisory lock (HotCold: the holder runs the
/// async projections and the outbox relay).
/// </summary>
public sealed class DaemonLeaders(DistributedApplication app)
{
    /// <summary>
    /// The services whose daemon has work (the outbox relay; Enrollment's projections too), with their database's name
    /// in the AppHost. Webhooks publishes nothing and projects nothing asynchronously, so its daemon never leads.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> DatabaseOf = new Dictionary<string, string>
    {
        ["enrollment"] = "enrollmentdb",
        ["identity-verification"] = "identityverificationdb",
        ["notification"] = "notificationdb",
    };

    public async Task<LockHolder?> HolderAsync(string service)
    {
        await using var connection = await OpenAsync(service);
        // One-key advisory locks (objsubid 1) held for long are the daemon's only: job locks use the two-key form
        // (objsubid 2) and the start-up schema lock is let go once the schema is applied.
        await using var query = new NpgsqlCommand(
            """
            SELECT DISTINCT a.pid, a.client_port FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """, connection);
        var holders = new List<LockHolder>();
        await using var reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            holders.Add(new LockHolder(reader.GetInt32(0), reader.GetInt32(1)));
        }

        return holders.Count == 1 ? holders[0] : null;
    }

    public async Task<NpgsqlConnection> OpenAsync(string service)
    {
        var connection = new NpgsqlConnection(await app.GetConnectionStringAsync(DatabaseOf[service]));
        await connection.OpenAsync();
        return connection;
    }
}
