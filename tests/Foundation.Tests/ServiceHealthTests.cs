using System.Net;
using System.Text.Json;
using PortalPlatform.Enrollment;
using PortalPlatform.Gateway;
using PortalPlatform.Hosting.Local;
using PortalPlatform.IdentityVerification;
using PortalPlatform.Notification;
using PortalPlatform.Testing;

namespace PortalPlatform.Foundation.Tests;

/// <summary>Each service's /health reports its real servers: 200 when they answer, 503 when one is down.</summary>
public sealed class ServiceHealthTests(IsolatedServers servers) : IClassFixture<IsolatedServers>
{
    public static TheoryData<string> ServicesWithStorage => [EnrollmentService.Name, IdentityVerificationService.Name, NotificationService.Name];

    [Theory]
    [MemberData(nameof(ServicesWithStorage))]
    public async Task Health_is_200_when_the_database_and_the_broker_answer(string service)
    {
        await using var factory = Create(service);
        using var client = factory.CreateClient();

        var report = await WaitForStatusAsync(client, HttpStatusCode.OK);

        Assert.Equal("Healthy", report.GetProperty("checks").GetProperty("postgres").GetProperty("status").GetString());
        Assert.Equal("Healthy", report.GetProperty("checks").GetProperty("rabbitmq").GetProperty("status").GetString());
    }

    [Theory]
    [MemberData(nameof(ServicesWithStorage))]
    public async Task Health_is_503_when_the_database_is_down(string service)
    {
        var deadDatabase = $"Host=127.0.0.1;Port={Ports.Free()};Username=postgres;Database=nowhere;Timeout=2";
        await using var factory = Create(service, new() { [$"ConnectionStrings:{PortalEventStoreConnectionName(service)}"] = deadDatabase });
        using var client = factory.CreateClient();

        var report = await WaitForStatusAsync(client, HttpStatusCode.ServiceUnavailable);

        Assert.Equal("Unhealthy", report.GetProperty("checks").GetProperty("postgres").GetProperty("status").GetString());
    }

    [Theory]
    [MemberData(nameof(ServicesWithStorage))]
    public async Task Health_is_503_when_the_broker_is_down(string service)
    {
        var deadBroker = $"amqp://guest:guest@127.0.0.1:{Ports.Free()}/";
        await using var factory = Create(service, new() { ["ConnectionStrings:rabbitmq"] = deadBroker });
        using var client = factory.CreateClient();

        var report = await WaitForStatusAsync(client, HttpStatusCode.ServiceUnavailable);

        Assert.NotEqual("Healthy", report.GetProperty("checks").GetProperty("rabbitmq").GetProperty("status").GetString());
        Assert.Equal("Healthy", report.GetProperty("checks").GetProperty("postgres").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Gateway_is_alive_and_healthy()
    {
        await using var factory = new ServiceFactory<GatewayService>(servers, GatewayService.Name);
        using var client = factory.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
    }

    private static string PortalEventStoreConnectionName(string service) =>
        Microsoft.Extensions.Hosting.PortalEventStoreExtensions.ConnectionNameOf(service);

    // What the AppHost hands every service besides its database and broker (no SMTP server or SMS provider is
    // needed for health: delivery failures are the Notification service's business, not its readiness).
    private static readonly Dictionary<string, string?> Baseline = new()
    {
        ["ConnectionStrings:smtp"] = "smtp://127.0.0.1:2525",
        ["Sms:BaseUrl"] = "http://127.0.0.1:2526/",
        ["Sms:ApiKey"] = "health-test-key",
        ["Sms:From"] = "PortalPlatform",
    };

    private RunningService Create(string service, Dictionary<string, string?>? overrides = null) =>
        Start(service, new Dictionary<string, string?>(Baseline.Concat(overrides ?? [])));

    private RunningService Start(string service, Dictionary<string, string?> overrides) => service switch
    {
        EnrollmentService.Name => RunningService.Of(new ServiceFactory<EnrollmentService>(servers, service, overrides)),
        IdentityVerificationService.Name => RunningService.Of(new ServiceFactory<IdentityVerificationService>(servers, service, overrides)),
        NotificationService.Name => RunningService.Of(new ServiceFactory<NotificationService>(servers, service, overrides)),
        _ => throw new ArgumentOutOfRangeException(nameof(service)),
    };

    private sealed class RunningService(IAsyncDisposable factory, Func<HttpClient> createClient) : IAsyncDisposable
    {
        public static RunningService Of<T>(ServiceFactory<T> factory) where T : class => new(factory, factory.CreateClient);

        public HttpClient CreateClient() => createClient();

        public ValueTask DisposeAsync() => factory.DisposeAsync();
    }

    private static async Task<JsonElement> WaitForStatusAsync(HttpClient client, HttpStatusCode expected)
    {
        JsonElement report = default;
        await Eventually.TrueAsync(async () =>
        {
            using var response = await client.GetAsync("/health");
            report = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            return response.StatusCode == expected;
        }, TimeSpan.FromSeconds(45), $"/health to answer {(int)expected}");
        return report;
    }
}
