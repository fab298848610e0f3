using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using PortalPlatform.Enrollment;
using PortalPlatform.Gateway;
using PortalPlatform.Gateway.DevTokens;
using PortalPlatform.Hosting.Local;
using PortalPlatform.IdentityVerification;
using PortalPlatform.Notification;
using PortalPlatform.ServiceDefaults.EventStore;
using PortalPlatform.ServiceDefaults.Security;
using PortalPlatform.Testing;

namespace PortalPlatform.Foundation.Tests;

/// <summary>
/// Staff tokens are signed by the issuer alone (the gateway in Development, ES256); every service finds its public key
/// by OpenID Connect discovery over HTTP and refuses a token signed with anything else, the old shared secret included.
/// </summary>
public sealed class StaffTokenTrustTests(IsolatedServers servers) : IClassFixture<IsolatedServers>, IAsyncLifetime
{
    /// <summary>The symmetric key every service held before: anyone with it could mint an admin token.</summary>
    private const string OldSharedSecret = "portalplatform-development-signing-key-not-for-production";

    private static readonly Dictionary<string, string?> Baseline = new()
    {
        ["ConnectionStrings:smtp"] = "smtp://127.0.0.1:2525",
        ["Sms:BaseUrl"] = "http://127.0.0.1:2526/",
        ["Sms:ApiKey"] = "trust-test-key",
        ["Sms:From"] = "PortalPlatform",
    };

    private ServiceFactory<GatewayService> _gateway = null!;
    private string _gatewayAddress = "";

    public static TheoryData<string> Services => [EnrollmentService.Name, IdentityVerificationService.Name, NotificationService.Name];

    public Task InitializeAsync()
    {
        var port = Ports.Free();
        _gatewayAddress = $"http://127.0.0.1:{port}";
        // Development with no Authority: the gateway is the issuer, as under the AppHost.
        _gateway = new ServiceFactory<GatewayService>(servers, GatewayService.Name, new Dictionary<string, string?> { ["Auth:Authority"] = "" })
        {
            EnvironmentName = "Development",
        };
        _gateway.UseKestrel(port);
        _gateway.StartServer();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Theory]
    [MemberData(nameof(Services))]
    public async Task A_token_from_the_issuer_is_accepted_and_one_signed_with_any_other_key_is_refused(string service)
    {
        await using var running = Start(service);
        var issued = await IssueAsync(StaffRoles.Operator);
        var keyId = JsonDocument.Parse(Base64UrlEncoder.Decode(issued.Split('.')[0])).RootElement.GetProperty("kid").GetString();
        var claims = new StaffUser(Guid.NewGuid(), "mallory", "Mallory", StaffRoles.Operator);

        using var otherEcdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forgeries = new Dictionary<string, string>
        {
            // Same issuer, audience, claims and key id as the real one: only the signature differs.
            ["another P-256 key"] = TestIdentityProvider.Sign(claims, new SigningCredentials(new ECDsaSecurityKey(otherEcdsa) { KeyId = keyId }, SecurityAlgorithms.EcdsaSha256), "portalplatform-dev"),
            ["the old shared secret (HS256)"] = TestIdentityProvider.Sign(claims, new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(OldSharedSecret)) { KeyId = keyId }, SecurityAlgorithms.HmacSha256), "portalplatform-dev"),
            ["another identity provider"] = servers.StaffTokens.Issue(claims),
            ["no signature"] = string.Join('.', issued.Split('.')[..2]) + ".",
        };

        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(running, issued));
        foreach (var (what, token) in forgeries)
        {
            Assert.True(await StatusWithAsync(running, token) == HttpStatusCode.Unauthorized, $"{service} accepted a token signed with {what}");
        }
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task A_service_holds_only_the_issuers_public_key(string service)
    {
        await using var running = Start(service);
        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(running, await IssueAsync(StaffRoles.Operator)));

        var jwt = running.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme);
        Assert.Null(jwt.TokenValidationParameters.IssuerSigningKey);
        Assert.Null(jwt.TokenValidationParameters.IssuerSigningKeys);
        var configuration = await jwt.ConfigurationManager!.GetConfigurationAsync(CancellationToken.None);
        var key = Assert.Single(configuration.SigningKeys);
        var holdsPrivatePart = key switch
        {
            AsymmetricSecurityKey asymmetric => asymmetric.PrivateKeyStatus == PrivateKeyStatus.Exists,
            JsonWebKey jwk => jwk.HasPrivateKey,
            _ => true, // a symmetric key is all private
        };
        Assert.False(holdsPrivatePart, $"{service} holds a {key.GetType().Name} with a private part");
        Assert.Equal(_gatewayAddress, running.Services.GetRequiredService<IOptions<StaffAuthOptions>>().Value.Authority);
    }

    [Fact]
    public async Task The_published_keys_carry_no_private_part_and_the_demo_staff_are_listed()
    {
        using var client = new HttpClient { BaseAddress = new Uri(_gatewayAddress) };

        var discovery = await client.GetFromJsonAsync<JsonElement>(DevelopmentTokenIssuer.DiscoveryPath);
        var jwks = await client.GetFromJsonAsync<JsonElement>(new Uri(discovery.GetProperty("jwks_uri").GetString()!));
        var key = Assert.Single(jwks.GetProperty("keys").EnumerateArray());
        Assert.Equal("EC", key.GetProperty("kty").GetString());
        Assert.False(key.TryGetProperty("d", out _), "the JWKS publishes the private scalar");

        var staff = await client.GetFromJsonAsync<DemoStaffMember[]>(DevTokenEndpoint.StaffPath);
        Assert.Equal(["alex.admin", "pat.provider", "sam.staff"], staff!.Select(s => s.UserId));
        Assert.All(staff!, s => Assert.Equal(Guid.Parse("0d3e5c1a-7b1f-4c59-9a8e-2f6d4b1c0001"), s.PracticeId));
    }

    private async Task<string> IssueAsync(string role)
    {
        using var client = new HttpClient { BaseAddress = new Uri(_gatewayAddress) };
        var response = await client.PostAsJsonAsync(DevTokenEndpoint.Path, new { practiceId = Guid.NewGuid(), userId = "ops-1", name = "Ops", role });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<DevTokenEndpoint.DevTokenResponse>())!.AccessToken;
    }

    private static async Task<HttpStatusCode> StatusWithAsync(RunningService service, string token)
    {
        using var client = service.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.GetAsync(ParkedMessageEndpoints.Path);
        return response.StatusCode;
    }

    private RunningService Start(string service)
    {
        var overrides = new Dictionary<string, string?>(Baseline) { ["Auth:Authority"] = _gatewayAddress };
        return service switch
        {
            EnrollmentService.Name => RunningService.Of(new ServiceFactory<EnrollmentService>(servers, service, overrides)),
            IdentityVerificationService.Name => RunningService.Of(new ServiceFactory<IdentityVerificationService>(servers, service, overrides)),
            NotificationService.Name => RunningService.Of(new ServiceFactory<NotificationService>(servers, service, overrides)),
            _ => throw new ArgumentOutOfRangeException(nameof(service)),
        };
    }

    private sealed class RunningService(IAsyncDisposable factory, Func<HttpClient> createClient, Func<IServiceProvider> services) : IAsyncDisposable
    {
        public static RunningService Of<T>(ServiceFactory<T> factory) where T : class => new(factory, factory.CreateClient, () => factory.Services);

        public IServiceProvider Services => services();

        public HttpClient CreateClient() => createClient();

        public ValueTask DisposeAsync() => factory.DisposeAsync();
    }
}
