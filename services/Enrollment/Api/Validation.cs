using System.Text.Json;
using FluentValidation;

namespace PortalPlatform.Enrollment.Api;

/// <summary>Runs the request's FluentValidation validator; a failure is a 400 problem naming each field, and nothing runs.</summary>
internal sealed class ValidationFilter<T>(IValidator<T> validator) : IEndpointFilter where T : class
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (context.Arguments.OfType<T>().FirstOrDefault() is not { } request)
        {
            return Problems.Invalid("body", "A JSON request body is required.");
        }

        var result = await validator.ValidateAsync(request, context.HttpContext.RequestAborted);
        if (!result.IsValid)
        {
            return TypedResults.ValidationProblem(result.Errors
                .GroupBy(e => JsonNamingPolicy.CamelCase.ConvertName(e.PropertyName))
                .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray()));
        }

        return await next(context);
    }
}

/// <summary>Rejects a malformed patient id in the route before anything else runs.</summary>
internal sealed class PatientIdFilter : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        PatientIds.IsValid(context.HttpContext.Request.RouteValues["patientId"] as string)
            ? next(context)
            : ValueTask.FromResult<object?>(Problems.Invalid("patientId", "'patientId' must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' or '-'."));
}

internal static class ValidationEndpointExtensions
{
    public static RouteHandlerBuilder Validates<T>(this RouteHandlerBuilder builder) where T : class =>
        builder.AddEndpointFilter<ValidationFilter<T>>().ProducesValidationProblem();
}
