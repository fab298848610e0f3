using Marten;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace PortalPlatform.ServiceDefaults.EventStore;

/// <summary>
/// Applies the service's whole schema at start-up, one replica at a time. Replicas queue on a PostgreSQL session
/// advisory lock (<c>pg_advisory_lock</c> waits) and each then lets Marten create or update what is missing: the
/// first does the work, the rest find the schema current. Marten's own migration lock is no substitute: it gives up
/// after a few quick tries, and a replica starting beside another that was still applying crashed at start-up
/// ("Unable to attain the global lock in time to apply database changes", seen with the AppHost's --replicas 2).
/// </summary>
public sealed class SchemaOnStartup(IDocumentStore store, NpgsqlDataSource dataSource, string serviceName) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var key = AdvisoryLocks.KeyOf("schema:" + serviceName);
        await using (var wait = new NpgsqlCommand("SELECT pg_advisory_lock($1)", connection) { Parameters = { new() { Value = (long)key } } })
        {
            await wait.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        }
        finally
        {
            // Explicitly: the pooled connection keeps its session (and the lock) after it goes back to the pool.
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", connection) { Parameters = { new() { Value = (long)key } } };
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
