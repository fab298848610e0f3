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
                // A chunked body that outgrows Kestrel's limit surfaces here, while YARP streams it to the service.
                var tooLarge = error.Exception is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }
                    || error.Exception?.InnerException is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge };
                var status = tooLarge ? StatusCodes.Status413PayloadTooLarge
                    : context.Response.StatusCode >= 400 ? context.Response.StatusCode : StatusCodes.Status502BadGateway;
                context.Response.StatusCode = status;
                await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails =
                    {
                        Status = status,
                        Title = tooLarge ? "Request body too large" : "Service unavailable",
                        Detail = tooLarge ? "The request body is larger than the gateway accepts." : $"The service behind this path did not answer ({error.Error}).",
                    },
                });
            }
        });
        return proxy;
    }
}
