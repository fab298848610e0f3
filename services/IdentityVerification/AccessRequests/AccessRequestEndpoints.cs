using System.Globalization;
using Marten;
using PortalPlatform.Contracts;
using PortalPlatform.IdentityVerification.Accounts;
using PortalPlatform.IdentityVerification.Registrations;
using PortalPlatform.IdentityVerification.SigningIn;
using PortalPlatform.IdentityVerification.Verifying;

namespace PortalPlatform.IdentityVerification.AccessRequests;

/// <summary>Either the old username and password, or an ended invitation link's token and the date of birth.</summary>
public sealed record AccessRequestBody(string? Username, string? Password, string? Token, string? DateOfBirth);

public sealed record LinkStateRequest(string? Token);

/// <summary>What the registration page shows for its link.</summary>
public enum LinkState
{
    /// <summary>The link still works: verify as usual.</summary>
    Usable,

    /// <summary>Its lifetime passed (or it is not a link we can use any more, which the patient cannot tell apart).</summary>
    Expired,

    /// <summary>The account was set up with it already.</summary>
    Used,
}

/// <summary>
/// A patient locked out (revoked, or holding an ended invitation link) asks the practice for access back. The answer
/// is the same 202 whatever is true; only a verified proof reaches Enrollment, as a command without any secret.
/// </summary>
public static class AccessRequestEndpoints
{
    public const string Received =
        "Thank you. If the details match our records, your practice will see your request and you will hear from them by email.";

    public static RouteGroupBuilder MapAccessRequests(this RouteGroupBuilder patient)
    {
        patient.MapPost("/access-requests", RequestAsync);
        patient.MapPost("/registration/status", LinkStateAsync);
        return patient;
    }

    private static async Task<IResult> RequestAsync(
        AccessRequestBody request, IDocumentStore store, SignInThrottle throttle, TimeProvider clock, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var byCredentials = request.Username is not null || request.Password is not null;
        var byLink = request.Token is not null || request.DateOfBirth is not null;
        var errors = new Dictionary<string, string[]>();
        var dateOfBirth = default(DateOnly);
        if (byCredentials == byLink)
        {
            errors["username"] = ["Send either your username and password, or the token of your invitation link with your date of birth."];
        }
        else if (byCredentials)
        {
            if (string.IsNullOrWhiteSpace(request.Username))
            {
                errors["username"] = ["Enter your username."];
            }

            if (string.IsNullOrEmpty(request.Password))
            {
                errors["password"] = ["Enter your password."];
            }
        }
        else
        {
            if (string.IsNullOrWhiteSpace(request.Token))
            {
                errors["token"] = ["The token from the invitation link is required."];
            }

            if (!DateOnly.TryParseExact(request.DateOfBirth?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out dateOfBirth))
            {
                errors["dateOfBirth"] = ["Enter the date of birth as YYYY-MM-DD."];
            }
        }

        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }

        await using var session = store.LightweightSession();
        var now = clock.GetUtcNow();
        var submitted = byCredentials
            ? await ByCredentialsAsync(session, throttle, request.Username!, request.Password!, now, cancellationToken)
            : await ByLinkAsync(session, request.Token!, dateOfBirth, now, cancellationToken);
        await session.SaveChangesAsync(cancellationToken);
        loggers.CreateLogger(typeof(AccessRequestEndpoints)).LogInformation("Access request received; {Submitted} passed on", submitted);
        return Results.Accepted(value: new { message = Received });
    }

    /// <summary>Right password, and the account's own link to a practice's record was revoked: one request per such record.</summary>
    private static async Task<int> ByCredentialsAsync(
        IDocumentSession session, SignInThrottle throttle, string username, string password, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // A wrong password is counted like a failed sign-in (and throttled after as many), so this is no side door for guessing.
        var check = await throttle.CheckAsync(session, username, password, cancellationToken);
        if (check.Outcome != CredentialOutcome.Valid)
        {
            return 0;
        }

        var account = check.Account!;
        var revoked = account.Links
            .Where(l => l.ProxyId is null && l.RevokedAt is not null)
            .Select(l => (l.PracticeId, l.PatientId))
            .Distinct()
            .Where(record => !account.ActiveLinks.Any(l => l.PracticeId == record.PracticeId && l.PatientId == record.PatientId))
            .ToList();
        foreach (var (practiceId, patientId) in revoked)
        {
            Submit(session, practiceId, patientId, AccessRequestProof.Credentials, invitationId: null, now);
        }

        return revoked.Count;
    }

    /// <summary>A link that no longer works (expired, used, ended) and the date of birth it was issued for.</summary>
    private static async Task<int> ByLinkAsync(IDocumentSession session, string token, DateOnly dateOfBirth, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var registration = await VerificationEndpoints.FindByTokenAsync(session, token, cancellationToken);
        if (registration is null || registration.ProxyId is not null || registration.IsUsable(now) || registration.DateOfBirth != dateOfBirth)
        {
            return 0;
        }

        var proof = registration.State == RegistrationState.Completed ? AccessRequestProof.UsedInvitation : AccessRequestProof.ExpiredInvitation;
        Submit(session, registration.PracticeId, registration.PatientId, proof, registration.InvitationId, now);
        return 1;
    }

    private static void Submit(IDocumentSession session, Guid practiceId, string patientId, AccessRequestProof proof, Guid? invitationId, DateTimeOffset now)
    {
        var id = Guid.CreateVersion7();
        session.Events.StartStream(id, new AccessRequestSubmitted(id, practiceId, patientId, proof, invitationId, now));
    }

    /// <summary>Tells the holder of a link whether it still works, so the page can offer a request instead of a dead end.</summary>
    private static async Task<IResult> LinkStateAsync(LinkStateRequest request, IQuerySession session, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Token))
        {
            return PatientProblems.Invalid("token", "The token from the registration link is required.");
        }

        var registration = await VerificationEndpoints.FindByTokenAsync(session, request.Token, cancellationToken);
        var state = registration switch
        {
            { State: RegistrationState.Completed } => LinkState.Used,
            { } usable when usable.IsUsable(clock.GetUtcNow()) => LinkState.Usable,
            _ => LinkState.Expired,
        };
        return Results.Ok(new { state = state.ToString() });
    }
}

/// <summary>A verified request, kept as its own stream so the outbox sends Enrollment the RequestAccess command exactly from what was committed.</summary>
public sealed record AccessRequestSubmitted(
    Guid SubmissionId, Guid PracticeId, string PatientId, AccessRequestProof Proof, Guid? InvitationId, DateTimeOffset SubmittedAt);
