namespace PortalPlatform.Gateway.ChartUi;

/// <summary>
/// The staff chart UI: static pages from wwwroot (no server-side rendering, no framework). The pages fetch their
/// data from the gateway's own /api with the staff bearer token.
/// </summary>
public static class ChartUiEndpoints
{
    public static IApplicationBuilder UseChartUi(this IApplicationBuilder app) =>
        app.UseDefaultFiles().UseStaticFiles(new StaticFileOptions
        {
            OnPrepareResponse = file => file.Context.Response.Headers.CacheControl = "no-cache",
        });

    public static WebApplication MapChartUi(this WebApplication app)
    {
        app.MapFallbackToFile("/dashboard", "dashboard.html").AllowAnonymous();
        app.MapFallbackToFile("/chart/{patientId}", "chart.html").AllowAnonymous();
        return app;
    }
}
