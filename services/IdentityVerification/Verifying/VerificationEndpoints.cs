using System.Globalization;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.Options;
using PortalPlatform.IdentityVerification.Registrations;

namespace PortalPlatform.IdentityVerification.Verifying;

public sealed record VerifyRequest(string? Token, string? DateOfBirth, string? Code);

public sealed record SendCodeRequest(string? Token);

/// <summary>Step one of registration: prove who you are with the link's token, date of birth and a code.</summary>
public static class VerificationEndpoints
{
    // A burst of parallel guesses must each be counted: a write that lost the race is decided again.
    private const int ConcurrencyAttempts = 10;

    public static RouteGroupBuilder MapVerification(this RouteGroupBuilder patient)
    {
        patient.MapPost("/registration/verify", VerifyAsync);
        patient.MapPost("/registration/code", SendCodeAsync);
        return patient;
    }

    public static async Task<Registration?> FindByTokenAsync(IQuerySession session, string token, CancellationToken cancellationToken)
    {
        var hash = RegistrationSecrets.HashOf(token.Trim());
        return await session.Query<Registration>().FirstOrDefaultAsync(r => r.TokenHash == hash, cancellationToken);
    }

    private static async Task<IResult> VerifyAsync(
        VerifyRequest request, HttpContext http, IDocumentStore store, RegistrationSecrets secrets, IOptions<RegistrationOptions> options,
        TimeProvider clock, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Token))
        {
            errors["token"] = ["The token from the registration link is required."];
        }

        if (!DateOnly.TryParseExact(request.DateOfBirth?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var dateOfBirth))
        {
            errors["dateOfBirth"] = ["Enter the date of birth as YYYY-MM-DD."];
        }

        if (string.IsNullOrWhiteSpace(request.Code) || request.Code.Length > 32)
        {
            errors["code"] = ["Enter the code texted to you or the access code from your practice."];
        }

        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }

        for (var attempt = 1; ; attempt++)
        {
            await using var session = store.LightweightSession();
            var found = await FindByTokenAsync(session, request.Token!, cancellationToken);
            if (found is null)
            {
                return PatientProblems.VerificationFailed();
            }

            var stream = await session.Events.FetchForWriting<Registration>(found.Id, cancellationToken);
            var registration = stream.Aggregate!;
            var now = clock.GetUtcNow();
            var oneTimeCode = registration.CodesSent > 0 && now < registration.CodeExpiresAt
                ? secrets.OneTimeCodeFor(registration.Id, registration.CodesSent)
                : null;
            var result = IdentityCheck.Decide(
                registration, new IdentityClaim(dateOfBirth, request.Code!), new ExpectedCodes(oneTimeCode, secrets.AccessCodeFor(registration.Id)),
                now, options.Value.MaxFailedChecks);
            if (result.Events.Count > 0)
            {
                stream.AppendMany(result.Events);
                try
                {
                    await session.SaveChangesAsync(cancellationToken);
                }
                catch (Exception ex) when (IsConcurrencyConflict(ex) && attempt < ConcurrencyAttempts)
                {
                    continue;
                }
            }

            var logger = loggers.CreateLogger(typeof(VerificationEndpoints));
            if (result.Passed)
            {
                logger.LogInformation("Identity check passed for registration {RegistrationId}", registration.Id);
                CompletionProof.Hand(http, secrets.CompletionProofFor(registration.Id), options.Value.CompletionWindow);
                return Results.Ok(new { registrationId = registration.Id });
            }

            logger.LogInformation("Identity check failed for registration {RegistrationId} ({FailedChecks} failed)", registration.Id,
                result.Events.OfType<IdentityCheckFailed>().Select(e => e.FailedChecks).DefaultIfEmpty(registration.FailedChecks).First());
            return PatientProblems.VerificationFailed();
        }
    }

    private static async Task<IResult> SendCodeAsync(
        SendCodeRequest request, IDocumentStore store, IOptions<RegistrationOptions> options, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Token))
        {
            return PatientProblems.Invalid("token", "The token from the registration link is required.");
        }

        // Whatever happens below, the answer is the same 202: it must not tell whether the token exists.
        await using var session = store.LightweightSession();
        var found = await FindByTokenAsync(session, request.Token, cancellationToken);
        if (found is not null)
        {
            var stream = await session.Events.FetchForWriting<Registration>(found.Id, cancellationToken);
            var registration = stream.Aggregate!;
            var settings = options.Value;
            var now = clock.GetUtcNow();
            var mayResend = registration.LastCodeSentAt is not { } last || now - last >= settings.OneTimeCodeResendInterval;
            if (registration.State == RegistrationState.Open && now < registration.ExpiresAt && !string.IsNullOrWhiteSpace(registration.Phone)
                && registration.CodesSent < settings.MaxOneTimeCodes && mayResend)
            {
                stream.AppendOne(new OneTimeCodeSent(
                    registration.Id, registration.PracticeId, registration.PatientId, registration.CodesSent + 1, registration.PracticeName,
                    registration.Phone, now, now + settings.OneTimeCodeLifetime));
                try
                {
                    await session.SaveChangesAsync(cancellationToken);
                }
                catch (Exception ex) when (IsConcurrencyConflict(ex))
                {
                    // A simultaneous request already sent a code; one is enough.
                }
            }
        }

        return Results.Accepted();
    }

    internal static bool IsConcurrencyConflict(Exception ex) =>
        ex is JasperFx.ConcurrencyException or EventStreamUnexpectedMaxEventIdException
        || ex.InnerException is { } inner && IsConcurrencyConflict(inner);
}
