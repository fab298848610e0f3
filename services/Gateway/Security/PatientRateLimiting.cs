using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using PortalPlatform.Gateway.Routing;

namespace PortalPlatform.Gateway.Security;

/// <summary>
/// The anonymous patient endpoints (registration, verification, sign-in) get a loose fixed window per client address
/// (the forwarded one from configured proxies, see ForwardedClientAddress) against floods; the tight bounds on
/// guessing are per registration and per username in Identity-Verification.
/// </summary>
public static class PatientRateLimiting
{
    public static IServiceCollection AddPatientRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(ServiceRoutes.PatientRateLimit, context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value;
                var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                return RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.PatientRequestsPerWindow,
                    Window = options.PatientRateLimitWindow,
                    QueueLimit = 0,
                });
            });
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
}
