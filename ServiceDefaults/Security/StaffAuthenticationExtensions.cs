using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using PortalPlatform.ServiceDefaults.Security;

namespace Microsoft.Extensions.Hosting;

public static class StaffAuthenticationExtensions
{
    /// <summary>Only for local development and tests; any other environment must configure Auth:SigningKey.</summary>
    public const string DevelopmentSigningKey = "portalplatform-development-signing-key-not-for-production";

    /// <summary>
    /// JWT bearer validation of staff tokens (issuer, audience, lifetime, signature) and the staff policies.
    /// Every service calls it, so a request is checked again behind the gateway.
    /// </summary>
    public static IHostApplicationBuilder AddStaffAuthentication(this IHostApplicationBuilder builder)
    {
        var local = builder.Environment.IsDevelopment() || builder.Environment.IsEnvironment("Testing");
        builder.Services.AddOptions<StaffAuthOptions>()
            .Bind(builder.Configuration.GetSection(StaffAuthOptions.Section))
            .PostConfigure(o => o.SigningKey = string.IsNullOrEmpty(o.SigningKey) && local ? DevelopmentSigningKey : o.SigningKey)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<StaffTokenIssuer>();

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<StaffAuthOptions>>((jwt, staff) =>
            {
                var settings = staff.Value;
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = settings.Issuer,
                    ValidAudience = settings.Audience,
                    IssuerSigningKey = StaffTokenIssuer.SigningKeyOf(settings),
                    NameClaimType = StaffClaimTypes.Name,
                    RoleClaimType = StaffClaimTypes.Role,
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
            });

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(StaffPolicies.Staff, p => p.RequireAuthenticatedUser().RequireClaim(StaffClaimTypes.Practice).RequireRole(StaffRoles.All))
            .AddPolicy(StaffPolicies.CanRevoke, p => p.RequireAuthenticatedUser().RequireClaim(StaffClaimTypes.Practice).RequireRole(StaffRoles.Admin, StaffRoles.Provider))
            .AddPolicy(StaffPolicies.Admin, p => p.RequireAuthenticatedUser().RequireClaim(StaffClaimTypes.Practice).RequireRole(StaffRoles.Admin))
            .AddPolicy(StaffPolicies.Operator, p => p.RequireAuthenticatedUser().RequireRole(StaffRoles.Operator));
        return builder;
    }
}
