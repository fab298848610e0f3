using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using System.Text;
using Marten;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using PortalPlatform.IdentityVerification.Accounts;

namespace PortalPlatform.IdentityVerification.SigningIn;

/// <summary>Short-lived patient tokens: their own issuer, audience and key, so a patient token is never a staff token.</summary>
public static class PatientAuthentication
{
    public const string Scheme = "patient";
    public const string Policy = "patient";
    public const string SessionClaim = "sid";
    public const string PracticeClaim = "practice";

    public static IHostApplicationBuilder AddPatientAuthentication(this IHostApplicationBuilder builder)
    {
        var local = builder.Environment.IsDevelopment() || builder.Environment.IsEnvironment("Testing");
        builder.Services.AddOptions<PatientAuthOptions>()
            .Bind(builder.Configuration.GetSection(PatientAuthOptions.Section))
            .PostConfigure(o => o.SigningKey = string.IsNullOrEmpty(o.SigningKey) && local ? PatientAuthOptions.DevelopmentSigningKey : o.SigningKey)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<PatientTokenIssuer>();
        builder.Services.AddAuthentication().AddJwtBearer(Scheme);
        builder.Services.AddOptions<JwtBearerOptions>(Scheme).Configure<IOptions<PatientAuthOptions>>((jwt, patient) =>
        {
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = patient.Value.Issuer,
                ValidAudience = patient.Value.Audience,
                IssuerSigningKey = PatientTokenIssuer.KeyOf(patient.Value),
                ClockSkew = TimeSpan.FromSeconds(30),
            };
            jwt.Events = new JwtBearerEvents { OnTokenValidated = EndedSessionsFailAsync };
        });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policy, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser().RequireClaim(SessionClaim));
        return builder;
    }

    /// <summary>
    /// Every request with a patient token checks its session: a revocation (or any other end of the session) refuses the
    /// token at once, on every endpoint behind the patient policy, not when the token expires.
    /// </summary>
    private static async Task EndedSessionsFailAsync(TokenValidatedContext context)
    {
        var clock = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>();
        var session = context.HttpContext.RequestServices.GetRequiredService<IQuerySession>();
        if (!Guid.TryParse(context.Principal?.FindFirst(SessionClaim)?.Value, out var sessionId)
            || await session.LoadAsync<PatientSession>(sessionId, context.HttpContext.RequestAborted) is not { EndedAt: null } current
            || current.ExpiresAt <= clock.GetUtcNow())
        {
            context.Fail("The session has ended.");
        }
    }
}

public sealed class PatientTokenIssuer(IOptions<PatientAuthOptions> options)
{
    public (string Token, DateTimeOffset ExpiresAt) Issue(Account account, PatientSession session)
    {
        var settings = options.Value;
        var claims = new List<Claim>
        {
            new(JwtRegisteredClaimNames.Sub, account.Id.ToString()),
            new(PatientAuthentication.SessionClaim, session.Id.ToString()),
        };
        claims.AddRange(account.ActiveLinks.Select(l => new Claim(PatientAuthentication.PracticeClaim, $"{l.PracticeId}:{l.PatientId}")));
        var token = new JwtSecurityToken(
            issuer: settings.Issuer,
            audience: settings.Audience,
            claims: claims,
            notBefore: session.StartedAt.UtcDateTime,
            expires: session.ExpiresAt.UtcDateTime,
            signingCredentials: new SigningCredentials(KeyOf(settings), SecurityAlgorithms.HmacSha256));
        return (new JwtSecurityTokenHandler().WriteToken(token), session.ExpiresAt);
    }

    internal static SymmetricSecurityKey KeyOf(PatientAuthOptions settings) => new(Encoding.UTF8.GetBytes(settings.SigningKey));
}
