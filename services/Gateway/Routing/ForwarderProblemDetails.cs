using Yarp.ReverseProxy.Forwarder;

namespace PortalPlatform.Gateway.Routing;

/// <summary>When a service cannot be reached, the caller still gets a problem detail (502/504), not an empty body.</summary>
public static class ForwarderProblemDetails
{
    public static IReverseProxyApplicationBuilder UseForwarderProblemDetails(this IReverseProxyApplicationBuilder proxy)
    {
        proxy.Use(async (context, next) =>
        {
            await next();
            if (context.GetForwarderErrorFeature() is { } error && !context.Response.HasStarted)
            {
                var status = context.Response.StatusCode >= 400 ? context.Response.StatusCode : StatusCodes.Status502BadGateway;
                context.Response.StatusCode = status;
                await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails =
                    {
                        Status = status,
                        Title = "Service unavailable",
                        Detail = $"The service behind this path did not answer ({error.Error}).",
                    },
                });
            }
        });
        return proxy;
    }
}
