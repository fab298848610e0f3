using PortalPlatform.ServiceDefaults.Security;

namespace PortalPlatform.Gateway.DevTokens;

/// <summary>
/// <c>POST /dev/token</c>: signs a staff token for local use. Mapped only in the Development environment; anywhere
/// else the path does not exist and staff tokens come from the practice's OpenID Connect provider.
/// </summary>
public static class DevTokenEndpoint
{
    public const string Path = "/dev/token";

    public sealed record DevTokenRequest(string? PracticeId, string? UserId, string? Name, string? Role);

    public sealed record DevTokenResponse(string AccessToken);

    public static WebApplication MapDevTokenEndpoint(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            return app;
        }

        app.MapPost(Path, (DevTokenRequest request, StaffTokenIssuer issuer) =>
            {
                var errors = new Dictionary<string, string[]>();
                if (!Guid.TryParse(request.PracticeId, out var practiceId))
                {
                    errors["practiceId"] = ["practiceId must be a GUID."];
                }

                if (string.IsNullOrWhiteSpace(request.UserId))
                {
                    errors["userId"] = ["userId is required."];
                }

                if (request.Role is null || !StaffRoles.All.Contains(request.Role))
                {
                    errors["role"] = ["role must be admin, provider or staff."];
                }

                if (errors.Count > 0)
                {
                    return Results.ValidationProblem(errors);
                }

                var user = new StaffUser(practiceId, request.UserId!, string.IsNullOrWhiteSpace(request.Name) ? request.UserId! : request.Name, request.Role!);
                return Results.Ok(new DevTokenResponse(issuer.Issue(user)));
            })
            .AllowAnonymous()
            .WithTags("Development")
            .WithSummary("Issue a staff token (Development only)");
        return app;
    }
}
