using PortalPlatform.Enrollment.PortalAccess;

namespace PortalPlatform.Enrollment.Api;

/// <summary>RFC 9457 problem details for every refusal.</summary>
internal static class Problems
{
    public static IResult Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>The same answer for a missing patient and another practice's patient.</summary>
    public static IResult NotFound(string detail = "No such patient.") =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static IResult PreconditionFailed() =>
        TypedResults.Problem("The portal access changed since you read it (If-Match is stale); reload and try again.",
            statusCode: StatusCodes.Status412PreconditionFailed, title: "Precondition failed");

    public static IResult Conflict(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict");

    public static IResult Forbidden(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");

    public static IResult From(Decision decision) => decision.Rejection switch
    {
        RejectionKind.NotFound => NotFound(decision.Detail!),
        RejectionKind.Forbidden => Forbidden(decision.Detail!),
        RejectionKind.Conflict => Conflict(decision.Detail!),
        RejectionKind.Invalid => Invalid(decision.Field ?? "body", decision.Detail!),
        _ => throw new InvalidOperationException("the decision was not rejected"),
    };
}
