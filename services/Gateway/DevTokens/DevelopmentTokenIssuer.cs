using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using PortalPlatform.ServiceDefaults.Security;

namespace PortalPlatform.Gateway.DevTokens;

/// <summary>
/// Signs staff tokens in Development with an ECDSA P-256 key (ES256) only the gateway holds, and publishes the public
/// half (<c>/.well-known/openid-configuration</c>, <c>/.well-known/jwks.json</c>) for every service to validate
/// against: the same contract a real identity provider offers, so production swaps it by Auth:Authority alone.
/// </summary>
public sealed class DevelopmentTokenIssuer : IDisposable
{
    public const string DiscoveryPath = "/.well-known/openid-configuration";
    public const string JwksPath = "/.well-known/jwks.json";

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsaSecurityKey _signingKey;
    private readonly DevelopmentIssuerOptions _options;
    private readonly string _audience;
    private readonly TimeProvider _clock;

    public DevelopmentTokenIssuer(
        IOptions<DevelopmentIssuerOptions> options, IOptions<StaffAuthOptions> auth, TimeProvider clock, ILogger<DevelopmentTokenIssuer> logger)
    {
        _options = options.Value;
        _audience = auth.Value.Audience;
        _clock = clock;
        if (!string.IsNullOrWhiteSpace(_options.SigningKeyPem))
        {
            _key.ImportFromPem(_options.SigningKeyPem);
        }

        using var publicOnly = ECDsa.Create(_key.ExportParameters(includePrivateParameters: false));
        _signingKey = new ECDsaSecurityKey(_key) { KeyId = Base64UrlEncoder.Encode(new ECDsaSecurityKey(publicOnly).ComputeJwkThumbprint()) };
        // The key id only: the key itself never reaches a log.
        logger.LogInformation(
            "Development staff token issuer {Issuer}: signing key {KeyId} ({Source})",
            _options.Issuer, _signingKey.KeyId, string.IsNullOrWhiteSpace(_options.SigningKeyPem) ? "made at start, in memory only" : "configured");
    }

    public string Issuer => _options.Issuer;

    public string Issue(StaffUser user)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = _audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + _options.TokenLifetime,
            Claims = new Dictionary<string, object>
            {
                [StaffClaimTypes.User] = user.UserId,
                [StaffClaimTypes.Practice] = user.PracticeId.ToString(),
                [StaffClaimTypes.Name] = user.Name,
                [StaffClaimTypes.Role] = user.Role,
            },
            SigningCredentials = new SigningCredentials(_signingKey, SecurityAlgorithms.EcdsaSha256),
        });
    }

    /// <summary>The public key as a JWK set: curve point only, never the private scalar.</summary>
    public object Jwks()
    {
        var point = _key.ExportParameters(includePrivateParameters: false).Q;
        return new
        {
            keys = new[]
            {
                new { kty = "EC", use = "sig", alg = SecurityAlgorithms.EcdsaSha256, crv = "P-256", kid = _signingKey.KeyId, x = Base64UrlEncoder.Encode(point.X), y = Base64UrlEncoder.Encode(point.Y) },
            },
        };
    }

    public object Discovery(string baseAddress) => new
    {
        issuer = _options.Issuer,
        jwks_uri = baseAddress.TrimEnd('/') + JwksPath,
        id_token_signing_alg_values_supported = new[] { SecurityAlgorithms.EcdsaSha256 },
        response_types_supported = new[] { "token" },
        subject_types_supported = new[] { "public" },
    };

    /// <summary>What the gateway itself validates against, in process (it is the issuer, so it fetches nothing).</summary>
    public OpenIdConnectConfiguration Configuration()
    {
        var configuration = new OpenIdConnectConfiguration { Issuer = _options.Issuer };
        configuration.SigningKeys.Add(new ECDsaSecurityKey(ECDsa.Create(_key.ExportParameters(includePrivateParameters: false))) { KeyId = _signingKey.KeyId });
        return configuration;
    }

    public void Dispose() => _key.Dispose();
}
