using PortalPlatform.Contracts;

namespace PortalPlatform.IdentityVerification;

/// <summary>The answers patients get; each failure kind has exactly one wording, whatever went wrong underneath.</summary>
public static class PatientProblems
{
    public const string DetailsDoNotMatch = "The details do not match our records.";
    public const string WrongCredentials = "The username or password is incorrect.";

    /// <summary>Any failed identity check or unusable registration: wrong token, date of birth or code, used, expired or locked.</summary>
    public static IResult VerificationFailed() =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Verification failed", detail: DetailsDoNotMatch);

    public static IResult SignInFailed() =>
        Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed", detail: WrongCredentials);

    public static IResult AccessRevoked() =>
        Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Access revoked", detail: PortalStatusText.RevokedSignInMessage);

    public static IResult TooManyAttempts(TimeSpan retryAfter) =>
        Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many attempts",
            detail: "Too many attempts. Please wait a few minutes and try again.",
            extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = (int)Math.Ceiling(retryAfter.TotalSeconds) });

    public static IResult Invalid(string field, string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
