using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using PortalPlatform.ServiceDefaults.Security;

namespace PortalPlatform.Testing;

/// <summary>
/// The identity provider of the tests: a real loopback HTTP server publishing OpenID Connect discovery and a JWKS,
/// and signing staff tokens (ES256) with a key only it holds. Every service under test gets it as <c>Auth:Authority</c>
/// (<see cref="IsolatedServers.ConfigurationFor"/>), exactly as it would get a practice's real identity provider.
/// </summary>
public sealed class TestIdentityProvider
{
    public const string Issuer = "portalplatform-test";
    public const string Audience = "portalplatform";

    private static readonly Lazy<Task<TestIdentityProvider>> Shared = new(StartAsync);

    private readonly ECDsaSecurityKey _key;

    private TestIdentityProvider(ECDsaSecurityKey key, string authority)
    {
        _key = key;
        Authority = authority;
    }

    public static Task<TestIdentityProvider> GetAsync() => Shared.Value;

    /// <summary>The provider once <see cref="IsolatedServers"/> started it (for helpers that have no fixture at hand).</summary>
    public static TestIdentityProvider Started =>
        Shared.IsValueCreated && Shared.Value.IsCompletedSuccessfully
            ? Shared.Value.Result
            : throw new InvalidOperationException("The test identity provider starts with IsolatedServers.InitializeAsync.");

    /// <summary>Base address of the discovery document (<c>/.well-known/openid-configuration</c>).</summary>
    public string Authority { get; }

    public string Issue(StaffUser user) => Sign(user, new SigningCredentials(_key, SecurityAlgorithms.EcdsaSha256));

    /// <summary>A token with the same issuer, audience and claims, signed with <paramref name="credentials"/> instead of this provider's key.</summary>
    public static string Sign(StaffUser user, SigningCredentials credentials, string issuer = Issuer)
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddHours(1),
            Claims = new Dictionary<string, object>
            {
                [StaffClaimTypes.User] = user.UserId,
                [StaffClaimTypes.Practice] = user.PracticeId.ToString(),
                [StaffClaimTypes.Name] = user.Name,
                [StaffClaimTypes.Role] = user.Role,
            },
            SigningCredentials = credentials,
        });
    }

    private static async Task<TestIdentityProvider> StartAsync()
    {
        var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = new ECDsaSecurityKey(ecdsa) { KeyId = "test-" + Guid.NewGuid().ToString("N")[..8] };
        var point = ecdsa.ExportParameters(includePrivateParameters: false).Q;

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/.well-known/openid-configuration", (HttpRequest request) => Results.Json(new
        {
            issuer = Issuer,
            jwks_uri = $"{request.Scheme}://{request.Host}/.well-known/jwks.json",
            id_token_signing_alg_values_supported = new[] { SecurityAlgorithms.EcdsaSha256 },
        }));
        app.MapGet("/.well-known/jwks.json", () => Results.Json(new
        {
            keys = new[] { new { kty = "EC", use = "sig", alg = SecurityAlgorithms.EcdsaSha256, crv = "P-256", kid = key.KeyId, x = Base64UrlEncoder.Encode(point.X), y = Base64UrlEncoder.Encode(point.Y) } },
        }));
        // Runs for the whole test process, like the servers in TestServers.
        await app.StartAsync();
        return new TestIdentityProvider(key, app.Urls.Single());
    }
}
