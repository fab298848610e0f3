using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace PortalPlatform.Dashboard.Api;

/// <summary>Serves the pages, script and style sheet embedded from wwwroot.</summary>
public static class DashboardPages
{
    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
    };

    public static IEndpointRouteBuilder MapDashboardPages(this IEndpointRouteBuilder endpoints)
    {
        var assembly = typeof(DashboardPages).Assembly;
        var files = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("wwwroot/", StringComparison.Ordinal))
            .ToDictionary(n => n["wwwroot/".Length..], n => n, StringComparer.OrdinalIgnoreCase);

        IResult Serve(string file)
        {
            if (!files.TryGetValue(file, out var resource))
            {
                return Results.NotFound();
            }

            var stream = assembly.GetManifestResourceStream(resource)!;
            return Results.Stream(stream, ContentTypes.GetValueOrDefault(Path.GetExtension(file), "application/octet-stream"));
        }

        endpoints.MapGet("/", () => Serve("index.html"));
        endpoints.MapGet("/{file}", (string file) => Serve(file));
        return endpoints;
    }
}
