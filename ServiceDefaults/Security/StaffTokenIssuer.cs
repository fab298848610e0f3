using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace PortalPlatform.ServiceDefaults.Security;

/// <summary>Issues staff tokens signed with the configured key: the gateway's Development-only /dev/token, and tests.</summary>
public sealed class StaffTokenIssuer(IOptions<StaffAuthOptions> options, TimeProvider clock)
{
    public string Issue(StaffUser user)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow().UtcDateTime;
        var token = new JwtSecurityToken(
            issuer: settings.Issuer,
            audience: settings.Audience,
            claims:
            [
                new Claim(StaffClaimTypes.User, user.UserId),
                new Claim(StaffClaimTypes.Practice, user.PracticeId.ToString()),
                new Claim(StaffClaimTypes.Name, user.Name),
                new Claim(StaffClaimTypes.Role, user.Role),
            ],
            notBefore: now,
            expires: now + settings.TokenLifetime,
            signingCredentials: new SigningCredentials(SigningKeyOf(settings), SecurityAlgorithms.HmacSha256));
        return new JwtSecurityTokenHandler().WriteToken(token);
    }

    internal static SymmetricSecurityKey SigningKeyOf(StaffAuthOptions settings) => new(Encoding.UTF8.GetBytes(settings.SigningKey));
}
