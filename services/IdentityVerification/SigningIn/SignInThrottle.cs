using Marten;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using PortalPlatform.IdentityVerification.Accounts;

namespace PortalPlatform.IdentityVerification.SigningIn;

public enum CredentialOutcome
{
    Valid,
    Wrong,
    Throttled,
}

public sealed record CredentialCheck(CredentialOutcome Outcome, Account? Account, TimeSpan RetryAfter);

/// <summary>
/// Checks a username and password, counting failures per username: after the configured number within the window,
/// every attempt for that username is refused (429) until the window passes, right password or not.
/// </summary>
public sealed class SignInThrottle(IPasswordHasher<Account> hasher, IOptions<PatientAuthOptions> options, TimeProvider clock)
{
    // Hashing a throw-away password for unknown usernames keeps the answer's timing the same as for a wrong password.
    private static readonly Account Nobody = new();
    private readonly Lazy<string> _decoyHash = new(() => hasher.HashPassword(Nobody, Guid.NewGuid().ToString()));

    /// <summary>Checks the credentials; records a failure (or clears them on success) in <paramref name="session"/> and commits it.</summary>
    public async Task<CredentialCheck> CheckAsync(IDocumentSession session, string username, string password, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow();
        var key = Account.NormalizeUsername(username);
        var failures = await session.LoadAsync<SignInFailures>(key, cancellationToken);
        if (failures is not null && now - failures.WindowStartedAt >= settings.FailureWindow)
        {
            failures = null;
        }

        if (failures is { } counted && counted.Count >= settings.MaxFailedSignIns)
        {
            return new CredentialCheck(CredentialOutcome.Throttled, null, counted.WindowStartedAt + settings.FailureWindow - now);
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
            failures ??= new SignInFailures { Id = key, WindowStartedAt = now };
            failures.Count++;
            session.Store(failures);
            await session.SaveChangesAsync(cancellationToken);
            return new CredentialCheck(CredentialOutcome.Wrong, null, TimeSpan.Zero);
        }

        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            account.PasswordHash = hasher.HashPassword(account, password);
            session.Store(account);
        }

        session.Delete<SignInFailures>(key);
        return new CredentialCheck(CredentialOutcome.Valid, account, TimeSpan.Zero);
    }
}
