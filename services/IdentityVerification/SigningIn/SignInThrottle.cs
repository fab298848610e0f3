using Marten;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Npgsql;
using PortalPlatform.IdentityVerification.Accounts;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace PortalPlatform.IdentityVerification.SigningIn;

public enum CredentialOutcome
{
    Valid,
    Wrong,
    Throttled,
}

public sealed record CredentialCheck(CredentialOutcome Outcome, Account? Account, TimeSpan RetryAfter);

/// <summary>
/// Checks a username and password, at most <see cref="PatientAuthOptions.MaxFailedSignIns"/> times per username
/// within the window: every further attempt is refused (429) until the window passes, right password or not.
/// Each attempt is counted by one atomic upsert before the password is looked at, so parallel guesses are counted
/// exactly and no more than the limit are ever checked. Any username counts, existing or not, so it tells nothing.
/// </summary>
public sealed class SignInThrottle(
    IPasswordHasher<Account> hasher, IOptions<PatientAuthOptions> options, TimeProvider clock, NpgsqlDataSource database, IDocumentStore store)
{
    public const string AttemptsTableName = "sign_in_attempts";

    // Hashing a throw-away password for unknown usernames keeps the answer's timing the same as for a wrong password.
    private static readonly Account Nobody = new();
    private readonly Lazy<string> _decoyHash = new(() => hasher.HashPassword(Nobody, Guid.NewGuid().ToString()));

    // Marten creates document tables on first use but not extended schema objects; done once here (not at start-up,
    // so the service still starts and reports 503 while the database is down). A failed attempt is tried again.
    private Task? _tableCreated;

    /// <summary>Attempts per username in the current window; created with the service's other tables.</summary>
    public static Table AttemptsTable(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, AttemptsTableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn<string>("username").AsPrimaryKey();
        table.AddColumn<DateTimeOffset>("window_started_at").NotNull();
        table.AddColumn<int>("attempts").NotNull();
        return table;
    }

    /// <summary>Checks the credentials; an account whose password needed rehashing is stored in <paramref name="session"/> (the caller commits).</summary>
    public async Task<CredentialCheck> CheckAsync(IDocumentSession session, string username, string password, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow();
        var key = Account.NormalizeUsername(username);
        await EnsureAttemptsTableAsync();
        var (attempts, windowStartedAt) = await CountAttemptAsync(key, now, settings.FailureWindow, cancellationToken);
        if (attempts > settings.MaxFailedSignIns)
        {
            return new CredentialCheck(CredentialOutcome.Throttled, null, windowStartedAt + settings.FailureWindow - now);
        }

        var account = await session.Query<Account>().FirstOrDefaultAsync(a => a.Username == key, cancellationToken);
        var result = PasswordVerificationResult.Failed;
        if (account is null)
        {
            hasher.VerifyHashedPassword(Nobody, _decoyHash.Value, password);
        }
        else
        {
            result = hasher.VerifyHashedPassword(account, account.PasswordHash, password);
        }

        if (account is null || result == PasswordVerificationResult.Failed)
        {
            return new CredentialCheck(CredentialOutcome.Wrong, null, TimeSpan.Zero);
        }

        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            account.PasswordHash = hasher.HashPassword(account, password);
            session.Store(account);
        }

        await ForgetAttemptsAsync(key, cancellationToken);
        return new CredentialCheck(CredentialOutcome.Valid, account, TimeSpan.Zero);
    }

    private Task EnsureAttemptsTableAsync()
    {
        var created = _tableCreated ??= CreateSchemaAsync();
        return created.IsFaulted ? _tableCreated = CreateSchemaAsync() : created;
    }

    // Marten creates a document's table on its first use in any session of this service (the revocation consumer's,
    // for one): when that races this, one CREATE loses with "already exists". The other one made it, so try again.
    private async Task CreateSchemaAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
                return;
            }
            catch (Exception e) when (attempt < 5 && IsConcurrentSchemaChange(e))
            {
            }
        }
    }

    private static bool IsConcurrentSchemaChange(Exception? e) =>
        e is PostgresException { SqlState: PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.DuplicateObject or PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DeadlockDetected }
        || e?.InnerException is { } inner && IsConcurrentSchemaChange(inner);

    /// <summary>Counts this attempt (a new window once the old one has passed) and returns the count so far.</summary>
    private async Task<(int Attempts, DateTimeOffset WindowStartedAt)> CountAttemptAsync(
        string username, DateTimeOffset now, TimeSpan window, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(
            $"""
             insert into {Table} as a (username, window_started_at, attempts) values ($1, $2, 1)
             on conflict (username) do update set
               attempts = case when a.window_started_at <= $3 then 1 else a.attempts + 1 end,
               window_started_at = case when a.window_started_at <= $3 then $2 else a.window_started_at end
             returning attempts, window_started_at
             """);
        command.Parameters.Add(new NpgsqlParameter { Value = username });
        command.Parameters.Add(new NpgsqlParameter { Value = now.UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter { Value = (now - window).UtcDateTime });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt32(0), new DateTimeOffset(reader.GetFieldValue<DateTime>(1), TimeSpan.Zero));
    }

    private async Task ForgetAttemptsAsync(string username, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand($"delete from {Table} where username = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = username });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private string Table => $"{store.Options.DatabaseSchemaName}.{AttemptsTableName}";
}
