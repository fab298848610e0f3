namespace PortalPlatform.IdentityVerification.Pages;

/// <summary>The registration and sign-in pages (static HTML from wwwroot; the gateway routes /register and /sign-in here).</summary>
public static class PatientPages
{
    public static IEndpointRouteBuilder MapPatientPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/register", (HttpContext http) => Page(http, "register.html"));
        app.MapGet("/sign-in", (HttpContext http) => Page(http, "sign-in.html"));
        return app;
    }

    private static IResult Page(HttpContext http, string file)
    {
        // The registration URL carries the token: never cache it, never send it on as a Referer.
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers["Referrer-Policy"] = "no-referrer";
        http.Response.Headers["X-Content-Type-Options"] = "nosniff";
        http.Response.Headers.ContentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'; form-action 'self'";
        return Results.File(file, "text/html; charset=utf-8");
    }
}
