using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using PortalPlatform.Gateway.Routing;

namespace PortalPlatform.Gateway.Security;

/// <summary>
/// The anonymous routes get a loose fixed window per client address (the forwarded one from configured proxies, see
/// ForwardedClientAddress) against floods: the patient endpoints (registration, verification, sign-in), whose tight
/// bounds on guessing are per registration and per username in Identity-Verification, and, with a window of its own,
/// the SMS provider's status callback, which Notification accepts only when signed but would otherwise have to read
/// and check without end.
/// </summary>
public static class AnonymousRateLimiting
{
    public static IServiceCollection AddAnonymousRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(ServiceRoutes.PatientRateLimit, context =>
                PerClientAddress(context, options => (options.PatientRequestsPerWindow, options.PatientRateLimitWindow)));
            limiter.AddPolicy(ServiceRoutes.CallbackRateLimit, context =>
                PerClientAddress(context, options => (options.CallbackRequestsPerWindow, options.CallbackRateLimitWindow)));
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var context = rejected.HttpContext;
                if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = "Too many attempts from this address. Wait a moment and try again.",
                    },
                });
            };
        });
        return services;
    }

    private static RateLimitPartition<string> PerClientAddress(HttpContext context, Func<GatewayOptions, (int Permits, TimeSpan Window)> limit)
    {
        var (permits, window) = limit(context.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value);
        var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = window,
            QueueLimit = 0,
        });
    }
}
