using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using PortalPlatform.ServiceDefaults.Security;

namespace PortalPlatform.Gateway.DevTokens;

/// <summary>
/// The gateway as the staff token issuer of the Development environment, when no real identity provider is configured
/// (Auth:Authority empty): <c>POST /dev/token</c> signs a token, <c>GET /dev/staff</c> lists the demo practice's staff
/// for the sign-in page, and the discovery and JWKS documents publish the public key. Anywhere else none of these
/// paths exist and staff tokens come from the practice's OpenID Connect provider.
/// </summary>
public static class DevTokenEndpoint
{
    public const string Path = "/dev/token";
    public const string StaffPath = "/dev/staff";

    public sealed record DevTokenRequest(string? PracticeId, string? UserId, string? Name, string? Role);

    public sealed record DevTokenResponse(string AccessToken);

    public static IHostApplicationBuilder AddDevelopmentTokenIssuer(this IHostApplicationBuilder builder)
    {
        if (!builder.Environment.IsDevelopment() || !string.IsNullOrWhiteSpace(builder.Configuration[$"{StaffAuthOptions.Section}:{nameof(StaffAuthOptions.Authority)}"]))
        {
            return builder;
        }

        builder.Services.AddOptions<DevelopmentIssuerOptions>().BindConfiguration(DevelopmentIssuerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<DevelopmentTokenIssuer>();
        // The gateway is the issuer: it validates against its own public key in process, fetching nothing.
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<DevelopmentTokenIssuer>((jwt, issuer) =>
        {
            jwt.Authority = null;
            jwt.Configuration = issuer.Configuration();
            jwt.ConfigurationManager = new StaticConfigurationManager<OpenIdConnectConfiguration>(jwt.Configuration);
        });
        return builder;
    }

    public static WebApplication MapDevTokenEndpoint(this WebApplication app)
    {
        if (app.Services.GetService<DevelopmentTokenIssuer>() is null)
        {
            return app;
        }

        app.MapGet(DevelopmentTokenIssuer.DiscoveryPath, (HttpRequest request, DevelopmentTokenIssuer issuer) =>
                Results.Ok(issuer.Discovery($"{request.Scheme}://{request.Host}{request.PathBase}")))
            .AllowAnonymous()
            .ExcludeFromDescription();
        app.MapGet(DevelopmentTokenIssuer.JwksPath, (DevelopmentTokenIssuer issuer) => Results.Ok(issuer.Jwks()))
            .AllowAnonymous()
            .ExcludeFromDescription();
        app.MapGet(StaffPath, (Microsoft.Extensions.Options.IOptions<DevelopmentIssuerOptions> options) => Results.Ok(options.Value.Staff))
            .AllowAnonymous()
            .WithTags("Development")
            .WithSummary("The demo practice's staff to sign in as (Development only)");

        app.MapPost(Path, (DevTokenRequest request, DevelopmentTokenIssuer issuer) =>
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

                // operator: the services' /ops endpoints (parked messages, error queues); not a practice's staff.
                if (request.Role is null || !(StaffRoles.All.Contains(request.Role) || request.Role == StaffRoles.Operator))
                {
                    errors["role"] = ["role must be admin, provider, staff or operator."];
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
