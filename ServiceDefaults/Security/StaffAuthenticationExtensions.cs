using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using PortalPlatform.ServiceDefaults.Security;

namespace Microsoft.Extensions.Hosting;

public static class StaffAuthenticationExtensions
{
    /// <summary>Name of the gateway in service discovery: its Development issuer is the default Authority locally.</summary>
    public const string GatewayServiceName = "gateway";

    /// <summary>Only signatures made with a private key: a shared secret (HS256) could be used to mint tokens by anyone who validates them.</summary>
    public static readonly IReadOnlyList<string> AsymmetricAlgorithms =
    [
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
    ];

    /// <summary>
    /// JWT bearer validation of staff tokens (audience, lifetime, and the signature against the issuer's published
    /// keys, found by OpenID Connect discovery from <see cref="StaffAuthOptions.Authority"/>) and the staff policies.
    /// Every service calls it, so a request is checked again behind the gateway.
    /// </summary>
    public static IHostApplicationBuilder AddStaffAuthentication(this IHostApplicationBuilder builder)
    {
        var local = builder.Environment.IsDevelopment() || builder.Environment.IsEnvironment("Testing");
        builder.Services.AddOptions<StaffAuthOptions>()
            .Bind(builder.Configuration.GetSection(StaffAuthOptions.Section))
            .PostConfigure(o => o.Authority = string.IsNullOrWhiteSpace(o.Authority) ? (local ? GatewayAddress(builder.Configuration) : null) : o.Authority)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<StaffAuthOptions>>((jwt, staff) =>
            {
                var settings = staff.Value;
                jwt.Authority = settings.Authority?.TrimEnd('/');
                jwt.Audience = settings.Audience;
                jwt.RequireHttpsMetadata = !local;
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidAudience = settings.Audience,
                    ValidAlgorithms = AsymmetricAlgorithms,
                    NameClaimType = StaffClaimTypes.Name,
                    RoleClaimType = StaffClaimTypes.Role,
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
            })
            .Validate(
                jwt => jwt.Authority is not null || jwt.Configuration is not null,
                "Auth:Authority is not set: staff tokens cannot be validated. Set it to the identity provider's address (Development and Testing default to the gateway's, services:gateway:http:0).")
            .ValidateOnStart();

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(StaffPolicies.Staff, p => p.RequireAuthenticatedUser().RequireClaim(StaffClaimTypes.Practice).RequireRole(StaffRoles.All))
            .AddPolicy(StaffPolicies.CanRevoke, p => p.RequireAuthenticatedUser().RequireClaim(StaffClaimTypes.Practice).RequireRole(StaffRoles.Admin, StaffRoles.Provider))
            .AddPolicy(StaffPolicies.Admin, p => p.RequireAuthenticatedUser().RequireClaim(StaffClaimTypes.Practice).RequireRole(StaffRoles.Admin))
            .AddPolicy(StaffPolicies.Operator, p => p.RequireAuthenticatedUser().RequireRole(StaffRoles.Operator));
        return builder;
    }

    private static string? GatewayAddress(IConfiguration configuration) =>
        new[] { "https", "http" }
            .Select(scheme => configuration[$"services:{GatewayServiceName}:{scheme}:0"])
            .FirstOrDefault(address => !string.IsNullOrWhiteSpace(address));
}
