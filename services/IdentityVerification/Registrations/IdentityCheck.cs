using PortalPlatform.Contracts;

namespace PortalPlatform.IdentityVerification.Registrations;

/// <summary>What the patient typed on the registration page.</summary>
public sealed record IdentityClaim(DateOnly DateOfBirth, string Code);

/// <summary>The codes that would prove the claim: the current one-time code (if one is live) and the staff access code.</summary>
public sealed record ExpectedCodes(string? OneTimeCode, string AccessCode);

/// <summary>The outcome of one identity check: the events to append, and whether it passed.</summary>
public sealed record IdentityCheckResult(bool Passed, IReadOnlyList<object> Events);

/// <summary>The identity check as a pure decision from state and claim to events.</summary>
public static class IdentityCheck
{
    public static IdentityCheckResult Decide(Registration registration, IdentityClaim claim, ExpectedCodes expected, DateTimeOffset now, int maxFailedChecks)
    {
        if (!registration.IsUsable(now))
        {
            // Used, locked, voided or expired: refused without counting, and told the same as any other failure.
            return new IdentityCheckResult(false, []);
        }

        var method = MethodProved(claim, expected);
        if (claim.DateOfBirth == registration.DateOfBirth && method is { } proved)
        {
            return registration.State == RegistrationState.Verified
                ? new IdentityCheckResult(true, [])
                : new IdentityCheckResult(true,
                    [new IdentityConfirmed(registration.Id, registration.PracticeId, registration.PatientId, registration.InvitationId, proved, now)]);
        }

        var failed = registration.FailedChecks + 1;
        List<object> events = [new IdentityCheckFailed(registration.Id, failed, now)];
        if (failed >= maxFailedChecks)
        {
            events.Add(new RegistrationLocked(registration.Id, registration.PracticeId, registration.PatientId, registration.InvitationId, failed, now));
        }

        return new IdentityCheckResult(false, events);
    }

    private static VerificationMethod? MethodProved(IdentityClaim claim, ExpectedCodes expected)
    {
        // Both comparisons always run, so the time taken does not tell which code was tried.
        var oneTimeCode = expected.OneTimeCode is { } code && RegistrationSecrets.Same(code, claim.Code);
        var accessCode = RegistrationSecrets.Same(expected.AccessCode, claim.Code);
        return oneTimeCode ? VerificationMethod.OneTimeCode : accessCode ? VerificationMethod.AccessCode : null;
    }
}
