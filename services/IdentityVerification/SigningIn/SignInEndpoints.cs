using System.Security.Claims;
using Marten;
using Microsoft.Extensions.Options;
using PortalPlatform.IdentityVerification.Accounts;

namespace PortalPlatform.IdentityVerification.SigningIn;

public sealed record SignInRequest(string? Username, string? Password);

public static class SignInEndpoints
{
    public static RouteGroupBuilder MapSignIn(this RouteGroupBuilder patient)
    {
        patient.MapPost("/sign-in", SignInAsync);
        patient.MapGet("/session", SessionAsync).RequireAuthorization(PatientAuthentication.Policy);
        return patient;
    }

    private static async Task<IResult> SignInAsync(
        SignInRequest request, IDocumentStore store, SignInThrottle throttle, PatientTokenIssuer issuer,
        IOptions<PatientAuthOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Username))
        {
            errors["username"] = ["Enter your username."];
        }

        if (string.IsNullOrEmpty(request.Password))
        {
            errors["password"] = ["Enter your password."];
        }

        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }

        await using var session = store.LightweightSession();
        var check = await throttle.CheckAsync(session, request.Username!, request.Password!, cancellationToken);
        switch (check.Outcome)
        {
            case CredentialOutcome.Throttled:
                return PatientProblems.TooManyAttempts(check.RetryAfter);
            case CredentialOutcome.Wrong:
                return PatientProblems.SignInFailed();
        }

        var account = check.Account!;
        if (!account.ActiveLinks.Any())
        {
            await session.SaveChangesAsync(cancellationToken);
            return PatientProblems.AccessRevoked();
        }

        var now = clock.GetUtcNow();
        var patientSession = new PatientSession { Id = Guid.CreateVersion7(), AccountId = account.Id, StartedAt = now, ExpiresAt = now + options.Value.TokenLifetime };
        session.Store(patientSession);
        await session.SaveChangesAsync(cancellationToken);
        var (token, expiresAt) = issuer.Issue(account, patientSession);
        return Results.Ok(new { accessToken = token, expiresAt });
    }

    /// <summary>The signed-in patient's session (the patient policy already refused an ended one with 401).</summary>
    private static async Task<IResult> SessionAsync(ClaimsPrincipal user, IQuerySession session, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(user.FindFirst(System.IdentityModel.Tokens.Jwt.JwtRegisteredClaimNames.Sub)?.Value, out var accountId)
            || await session.LoadAsync<Account>(accountId, cancellationToken) is not { } account)
        {
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Session ended", detail: "Please sign in again.");
        }

        return Results.Ok(new
        {
            accountId = account.Id,
            practices = account.ActiveLinks.Select(l => new { practiceId = l.PracticeId, patientId = l.PatientId }),
        });
    }
}
