using System.Runtime.CompilerServices;
using Marten;
using Marten.Services;
using Npgsql;
using PortalPlatform.Enrollment.PortalAccess;
using PortalPlatform.ServiceDefaults.EventStore;

namespace PortalPlatform.Enrollment.Dashboard;

/// <summary>
/// Patients per portal status of each practice, one row per practice, kept by triggers on the
/// <see cref="PortalAccessState"/> rows in the same transaction as the change: the dashboard reads its counts in one
/// primary-key lookup instead of counting the practice's rows, and every writer (commands, consumers, the expiry sweep,
/// a bulk load) keeps them without knowing about them. Statement-level triggers with transition tables: a statement
/// changing many rows (a COPY) adds its changes per practice once. Each transaction adds to one of <see cref="Shards"/>
/// rows per practice, chosen by its transaction id: transactions running side by side have nearby ids, so concurrent
/// commands of one practice seldom queue on the same row until their commit (by backend process id, as before, 32
/// connections collided on 16 rows and a count took 2.4 ms of waiting per command); a transaction takes one row per
/// practice, in practice order (no lock-order deadlock); a read sums the practice's rows.
/// A projection rebuild writes every row again, one statement per document: counting each of them cost more than
/// the rebuild itself. So a TRUNCATE of the documents (how Marten's rebuild starts) empties the counts and suspends
/// them: the triggers then only check the suspension (a shared lock on its row, held to commit), and
/// <see cref="ResumeAsync"/> counts every row once in one GROUP BY, after the writers that skipped have committed
/// and before any later writer counts again. The dashboard's read resumes them when it finds them suspended, so
/// they are never read while suspended; whoever rebuilds may resume them right after the rebuild instead.
/// </summary>
public static class StatusCounts
{
    public const string TableName = "portal_status_counts";

    /// <summary>Rows per practice: concurrent writers of one practice spread over them.</summary>
    public const int Shards = 64;

    private static readonly ConditionalWeakTable<IDocumentStore, Task> Ensured = [];

    public static void AddTo(StoreOptions store) => store.Listeners.Add(new EnsureBeforeWriting());

    /// <summary>Marten's table of the <see cref="PortalAccessState"/> documents (the counted rows).</summary>
    public static string DocumentTableIn(string schema) => $"{schema}.mt_doc_{nameof(PortalAccessState).ToLowerInvariant()}";

    /// <summary>Its one row, while present, says the counts are suspended (since a TRUNCATE) until <see cref="ResumeAsync"/>.</summary>
    public static string SuspendedTableIn(string schema) => $"{schema}.portal_status_counts_suspended";

    /// <summary>
    /// Counts every row once (one INSERT .. SELECT .. GROUP BY) if the counts are suspended, and has the triggers count
    /// again; does nothing otherwise. Safe while writers run: it waits for those that skipped counting to commit.
    /// </summary>
    public static async Task ResumeAsync(IDocumentStore store, CancellationToken ct = default)
    {
        await EnsureAsync(store);
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var resume = new NpgsqlCommand($"SELECT {store.Options.DatabaseSchemaName}.portal_status_counts_resume()", connection);
        await resume.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Creates the table and the triggers once per store (tried again after a failure). They must exist before the first
    /// document row is written, or that row is never counted; Marten creates the document table on first use and its
    /// extended schema objects before its documents, so this runs after Marten's own schema, before any write.
    /// </summary>
    public static Task EnsureAsync(IDocumentStore store)
    {
        lock (Ensured)
        {
            if (!Ensured.TryGetValue(store, out var applied) || applied.IsFaulted || applied.IsCanceled)
            {
                applied = CreateAsync(store);
                Ensured.AddOrUpdate(store, applied);
            }

            return applied;
        }
    }

    private static async Task CreateAsync(IDocumentStore store)
    {
        await store.Storage.Database.EnsureStorageExistsAsync(typeof(PortalAccessState));
        var schema = store.Options.DatabaseSchemaName;
        var counts = $"{schema}.{TableName}";
        var documents = DocumentTableIn(schema);
        var follow = $"{schema}.portal_status_counts_follow";
        var merge = $"{schema}.portal_status_counts_merge";
        var suspended = SuspendedTableIn(schema);
        var resume = $"{schema}.portal_status_counts_resume";
        var shard = $"(txid_current() % {Shards})::int"; // the writing transaction's row of each practice
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // Replicas starting together would race on CREATE OR REPLACE.
        await using var create = new NpgsqlCommand(
            $$"""
            SELECT pg_advisory_xact_lock({{AdvisoryLocks.KeyOf("enrollment:" + TableName)}});
            CREATE TABLE IF NOT EXISTS {{counts}} (practice_id uuid NOT NULL, shard int NOT NULL, counts jsonb NOT NULL, PRIMARY KEY (practice_id, shard));
            CREATE TABLE IF NOT EXISTS {{suspended}} (one boolean PRIMARY KEY DEFAULT true CHECK (one), since timestamptz NOT NULL DEFAULT now());
            CREATE OR REPLACE FUNCTION {{merge}}(a jsonb, b jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $function$
              SELECT coalesce(jsonb_object_agg(k, v), '{}') FROM (
                SELECT k, sum(v)::int AS v FROM (
                  SELECT key AS k, value::int AS v FROM jsonb_each_text(a) UNION ALL SELECT key, value::int FROM jsonb_each_text(b)) AS both_
                GROUP BY k) AS summed
            $function$;
            CREATE OR REPLACE FUNCTION {{follow}}() RETURNS trigger LANGUAGE plpgsql AS $function$
            BEGIN
              IF TG_OP = 'TRUNCATE' THEN
                DELETE FROM {{counts}};
                INSERT INTO {{suspended}} DEFAULT VALUES ON CONFLICT DO NOTHING;
                RETURN NULL;
              END IF;
              -- Suspended: nothing to count now. The lock keeps the resume waiting until this transaction commits.
              PERFORM FROM {{suspended}} FOR SHARE;
              IF FOUND THEN
                RETURN NULL;
              END IF;
              IF TG_OP = 'INSERT' THEN
                INSERT INTO {{counts}} AS c (practice_id, shard, counts)
                SELECT practice_id, {{shard}}, jsonb_object_agg(status, n) FROM (
                  SELECT practice_id, status::text AS status, count(*)::int AS n FROM new_rows GROUP BY 1, 2) AS d
                GROUP BY practice_id ORDER BY practice_id
                ON CONFLICT (practice_id, shard) DO UPDATE SET counts = {{merge}}(c.counts, excluded.counts);
              ELSIF TG_OP = 'DELETE' THEN
                INSERT INTO {{counts}} AS c (practice_id, shard, counts)
                SELECT practice_id, {{shard}}, jsonb_object_agg(status, n) FROM (
                  SELECT practice_id, status::text AS status, -count(*)::int AS n FROM old_rows GROUP BY 1, 2) AS d
                GROUP BY practice_id ORDER BY practice_id
                ON CONFLICT (practice_id, shard) DO UPDATE SET counts = {{merge}}(c.counts, excluded.counts);
              ELSE
                INSERT INTO {{counts}} AS c (practice_id, shard, counts)
                SELECT practice_id, {{shard}}, jsonb_object_agg(status, n) FROM (
                  SELECT practice_id, status, sum(n)::int AS n FROM (
                    SELECT o.practice_id, o.status::text AS status, -1 AS n FROM old_rows AS o JOIN new_rows AS w ON w.id = o.id
                      WHERE o.status IS DISTINCT FROM w.status OR o.practice_id IS DISTINCT FROM w.practice_id
                    UNION ALL
                    SELECT w.practice_id, w.status::text, 1 FROM old_rows AS o JOIN new_rows AS w ON w.id = o.id
                      WHERE o.status IS DISTINCT FROM w.status OR o.practice_id IS DISTINCT FROM w.practice_id) AS changes
                  GROUP BY 1, 2 HAVING sum(n) <> 0) AS d
                GROUP BY practice_id ORDER BY practice_id
                ON CONFLICT (practice_id, shard) DO UPDATE SET counts = {{merge}}(c.counts, excluded.counts);
              END IF;
              RETURN NULL;
            END
            $function$;
            -- Each statement of a plpgsql function sees what committed before it: the GROUP BY sees every row written by
            -- a transaction that skipped counting (the DELETE waited for their locks); later writers wait for this commit.
            CREATE OR REPLACE FUNCTION {{resume}}() RETURNS void LANGUAGE plpgsql AS $function$
            BEGIN
              DELETE FROM {{suspended}};
              IF NOT FOUND THEN
                RETURN;
              END IF;
              DELETE FROM {{counts}};
              INSERT INTO {{counts}} (practice_id, shard, counts)
              SELECT practice_id, 0, jsonb_object_agg(status, n) FROM (
                SELECT practice_id, status::text AS status, count(*)::int AS n FROM {{documents}} GROUP BY 1, 2) AS d
              GROUP BY practice_id;
            END
            $function$;
            CREATE OR REPLACE TRIGGER portal_status_counts_inserted AFTER INSERT ON {{documents}}
              REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {{follow}}();
            CREATE OR REPLACE TRIGGER portal_status_counts_updated AFTER UPDATE ON {{documents}}
              REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {{follow}}();
            CREATE OR REPLACE TRIGGER portal_status_counts_deleted AFTER DELETE ON {{documents}}
              REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {{follow}}();
            CREATE OR REPLACE TRIGGER portal_status_counts_truncated AFTER TRUNCATE ON {{documents}}
              FOR EACH STATEMENT EXECUTE FUNCTION {{follow}}();
            """, connection, transaction);
        await create.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
    }

    private sealed class EnsureBeforeWriting : DocumentSessionListenerBase
    {
        public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token) => EnsureAsync(session.DocumentStore);
    }
}
