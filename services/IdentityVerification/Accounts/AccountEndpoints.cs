using Marten;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using PortalPlatform.IdentityVerification.Registrations;
using PortalPlatform.IdentityVerification.SigningIn;
using PortalPlatform.IdentityVerification.Verifying;

namespace PortalPlatform.IdentityVerification.Accounts;

/// <param name="Token">Optional: the link's token, for clients that do not keep the cookie the identity check set.</param>
public sealed record CompleteRequest(Guid? RegistrationId, string? Username, string? Password, string? Token = null);

/// <summary>Step two of registration: set up a new account (or set it up again after a revocation), or link an existing one.</summary>
public static class AccountEndpoints
{
    public const int MinimumUsernameLength = 3;
    public const int MaximumUsernameLength = 64;

    public static RouteGroupBuilder MapAccountSetUp(this RouteGroupBuilder patient)
    {
        patient.MapPost("/registration/complete", CompleteAsync);
        patient.MapPost("/registration/link", LinkAsync);
        return patient;
    }

    private static async Task<IResult> CompleteAsync(
        CompleteRequest request, HttpContext http, RegistrationSecrets secrets, IDocumentStore store, PasswordPolicy policy, IPasswordHasher<Account> hasher,
        IOptions<RegistrationOptions> options, TimeProvider clock, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.RegistrationId is null || request.RegistrationId == Guid.Empty)
        {
            errors["registrationId"] = ["The registration id from the identity check is required."];
        }

        if (UsernameProblem(request.Username) is { } usernameProblem)
        {
            errors["username"] = [usernameProblem];
        }

        if (string.IsNullOrEmpty(request.Password))
        {
            errors["password"] = ["Choose a password."];
        }
        else if (policy.Problem(request.Password, request.Username ?? "") is { } passwordProblem)
        {
            errors["password"] = [passwordProblem];
        }

        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }

        await using var session = store.LightweightSession();
        var stream = await session.Events.FetchForWriting<Registration>(request.RegistrationId!.Value, cancellationToken);
        var now = clock.GetUtcNow();
        if (!ReadyForAccount(stream.Aggregate, now, options.Value) || !CompletionProof.Presented(http, stream.Aggregate!, secrets, request.Token))
        {
            return PatientProblems.VerificationFailed();
        }

        var registration = stream.Aggregate!;
        var username = Account.NormalizeUsername(request.Username!);
        var account = await session.Query<Account>().FirstOrDefaultAsync(a => a.Username == username, cancellationToken);
        if (account is not null)
        {
            // The one case where a taken username is fine: the same patient setting the account up again after a revocation.
            if (account.LinkTo(registration.PracticeId, registration.PatientId, registration.ProxyId) is not { RevokedAt: not null })
            {
                return PatientProblems.Invalid("username", "This username is taken. Choose another, or sign in with it to link this practice.");
            }
        }
        else
        {
            account = new Account { Id = Guid.CreateVersion7(), Username = username, CreatedAt = now };
        }

        account.PasswordHash = hasher.HashPassword(account, request.Password!);
        account.PasswordSetAt = now;
        account.Link(registration.PracticeId, registration.PatientId, registration.ProxyId, registration.Id, now);
        session.Store(account);

        // Older accounts of this patient at this practice lose their revoked link: the old credentials lead nowhere now.
        var older = await session.Query<Account>()
            .Where(a => a.Id != account.Id && a.Links.Any(l => l.PracticeId == registration.PracticeId && l.PatientId == registration.PatientId && l.ProxyId == registration.ProxyId))
            .ToListAsync(cancellationToken);
        foreach (var stale in older)
        {
            stale.Links.RemoveAll(l => l.PracticeId == registration.PracticeId && l.PatientId == registration.PatientId && l.ProxyId == registration.ProxyId
                && l.RevokedAt is not null);
            session.Store(stale);
        }

        stream.AppendOne(new AccountSetUp(registration.Id, registration.PracticeId, registration.PatientId, registration.InvitationId, account.Id, false, now));
        if (await SaveAsync(session, cancellationToken) is { } conflict)
        {
            return conflict;
        }

        loggers.CreateLogger(typeof(AccountEndpoints)).LogInformation("Registration {RegistrationId} completed with account {AccountId}", registration.Id, account.Id);
        return Results.Ok(new { accountId = account.Id, linkedExistingAccount = false });
    }

    private static async Task<IResult> LinkAsync(
        CompleteRequest request, HttpContext http, RegistrationSecrets secrets, IDocumentStore store, IPasswordHasher<Account> hasher, SignInThrottle throttle,
        IOptions<RegistrationOptions> options, TimeProvider clock, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.RegistrationId is null || request.RegistrationId == Guid.Empty)
        {
            errors["registrationId"] = ["The registration id from the identity check is required."];
        }

        if (string.IsNullOrWhiteSpace(request.Username))
        {
            errors["username"] = ["Enter the username of your existing account."];
        }

        if (string.IsNullOrEmpty(request.Password))
        {
            errors["password"] = ["Enter the password of your existing account."];
        }

        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }

        await using var session = store.LightweightSession();
        var stream = await session.Events.FetchForWriting<Registration>(request.RegistrationId!.Value, cancellationToken);
        var now = clock.GetUtcNow();
        if (!ReadyForAccount(stream.Aggregate, now, options.Value) || !CompletionProof.Presented(http, stream.Aggregate!, secrets, request.Token))
        {
            return PatientProblems.VerificationFailed();
        }

        var registration = stream.Aggregate!;
        var check = await throttle.CheckAsync(session, request.Username!, request.Password!, cancellationToken);
        if (check.Outcome != CredentialOutcome.Valid)
        {
            // A revoked-only account counts as wrong credentials here: its old password stopped working at the revocation.
            return check.Outcome == CredentialOutcome.Throttled ? PatientProblems.TooManyAttempts(check.RetryAfter) : PatientProblems.SignInFailed();
        }

        var account = check.Account!;
        if (!account.ActiveLinks.Any())
        {
            return PatientProblems.SignInFailed();
        }

        account.Link(registration.PracticeId, registration.PatientId, registration.ProxyId, registration.Id, now);
        session.Store(account);
        stream.AppendOne(new AccountSetUp(registration.Id, registration.PracticeId, registration.PatientId, registration.InvitationId, account.Id, true, now));
        if (await SaveAsync(session, cancellationToken) is { } conflict)
        {
            return conflict;
        }

        loggers.CreateLogger(typeof(AccountEndpoints)).LogInformation("Registration {RegistrationId} linked to existing account {AccountId}", registration.Id, account.Id);
        return Results.Ok(new { accountId = account.Id, linkedExistingAccount = true });
    }

    private static bool ReadyForAccount(Registration? registration, DateTimeOffset now, RegistrationOptions options) =>
        registration is { State: RegistrationState.Verified, VerifiedAt: { } verifiedAt }
        && now < registration.ExpiresAt
        && now - verifiedAt <= options.CompletionWindow;

    private static async Task<IResult?> SaveAsync(IDocumentSession session, CancellationToken cancellationToken)
    {
        try
        {
            await session.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (Exception ex) when (VerificationEndpoints.IsConcurrencyConflict(ex))
        {
            // Someone completed this registration a moment earlier: it is used.
            return PatientProblems.VerificationFailed();
        }
        catch (Exception ex) when (IsUniqueViolation(ex))
        {
            return PatientProblems.Invalid("username", "This username is taken. Choose another, or sign in with it to link this practice.");
        }
    }

    private static bool IsUniqueViolation(Exception ex) =>
        ex is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation } || ex.InnerException is { } inner && IsUniqueViolation(inner);

    private static string? UsernameProblem(string? username)
    {
        var trimmed = username?.Trim() ?? "";
        if (trimmed.Length < MinimumUsernameLength || trimmed.Length > MaximumUsernameLength)
        {
            return $"Use {MinimumUsernameLength} to {MaximumUsernameLength} characters.";
        }

        return trimmed.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@' or '+')
            ? null
            : "Use letters, digits and . _ - @ + only.";
    }
}
