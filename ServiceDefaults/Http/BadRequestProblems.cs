using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace PortalPlatform.ServiceDefaults.Http;

/// <summary>
/// One rule for every service's bad input, in every environment: a request body or route value the endpoint cannot
/// read is the caller's fault, answered with a 4xx RFC 9457 problem detail whose <c>errors</c> name the field, and
/// the endpoint never runs. Minimal APIs throw <see cref="BadHttpRequestException"/> for it (we ask them to always,
/// not only in Development, so that the answer names the field) and this handler maps it.
/// </summary>
public static partial class BadRequestProblems
{
    public static IServiceCollection AddBadRequestProblems(this IServiceCollection services)
    {
        services.Configure<RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);
        // Strict bodies: a field the endpoint does not know is a mistake (a typo would otherwise be silently ignored).
        services.Configure<JsonOptions>(json => json.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow);
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        return services;
    }

    /// <summary>The field a bad request is about, and what is wrong with it, without the server's type names.</summary>
    public static (string Field, string Message) Describe(BadHttpRequestException bad)
    {
        if (FindJsonException(bad) is { } json)
        {
            var field = FieldOf(json.Path);
            if (json.Message.StartsWith("The JSON property", StringComparison.Ordinal))
            {
                return (field, $"'{field}' is not a field of this request.");
            }

            // The reader's own exception (a subclass) means the text is not JSON at all; the base class means a value of the wrong type.
            return json.GetType() == typeof(JsonException)
                ? (field, field == "body" ? "The body must be a JSON object." : $"'{field}' has the wrong type or an out-of-range value.")
                : (field, "The body is not valid JSON.");
        }

        if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return ("Content-Type", "Send the body as application/json.");
        }

        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return ("body", "The body is too large.");
        }

        return ParameterName().Match(bad.Message) is { Success: true } parameter
            ? (parameter.Groups["name"].Value, bad.Message.Contains("from body", StringComparison.Ordinal) ? "A JSON request body is required." : $"'{parameter.Groups["name"].Value}' has an unreadable value.")
            : ("request", "The request could not be read.");
    }

    private static JsonException? FindJsonException(Exception? exception) => exception switch
    {
        null => null,
        JsonException json => json,
        _ => FindJsonException(exception.InnerException),
    };

    private static string FieldOf(string? path)
    {
        var field = path?.TrimStart('$').TrimStart('.');
        return string.IsNullOrEmpty(field) ? "body" : field;
    }

    // Request delegate messages quote the parameter as "Type name".
    [GeneratedRegex("parameter \"[^\"]*?(?<name>\\w+)\"")]
    private static partial Regex ParameterName();
}

/// <summary>Writes a <see cref="BadHttpRequestException"/> as a validation problem with its own status (400, 413, 415 ...).</summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad || httpContext.Response.HasStarted)
        {
            return false;
        }

        var (field, message) = BadRequestProblems.Describe(bad);
        httpContext.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
            {
                Status = bad.StatusCode,
                Title = bad.StatusCode == StatusCodes.Status400BadRequest ? "One or more validation errors occurred." : null,
            },
        });
    }
}
