using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using PortalPlatform.Contracts;
using PortalPlatform.Gateway;
using PortalPlatform.Gateway.Routing;
using PortalPlatform.ServiceDefaults.Security;
using PortalPlatform.Testing;

namespace PortalPlatform.Webhooks.Tests;

/// <summary>
/// The test class's own database and vhost; the real Webhooks service on a loopback port with the real gateway in
/// front (every API call goes through the gateway's route); a bus that publishes the integration events as the
/// other services do; and the integrator's receiver.
/// </summary>
public class WebhookServers : IsolatedServers
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public ServiceFactory<WebhooksService> Webhooks { get; private set; } = null!;
    public ServiceFactory<GatewayService> Gateway { get; private set; } = null!;
    public Receiver Receiver { get; } = new();

    /// <summary>The gateway's address on loopback: the staff pages are served there, for a real browser.</summary>
    public Uri GatewayAddress { get; private set; } = null!;
    private IBusControl _bus = null!;

    /// <summary>Service settings of this fixture: fast retries, loopback targets allowed (the receiver is on 127.0.0.1).</summary>
    protected virtual Dictionary<string, string?> WebhookSettings => new()
    {
        ["Webhooks:AllowPrivateTargets"] = "true",
        ["Webhooks:FirstRetryDelay"] = "00:00:00.100",
        ["Webhooks:MaxRetryDelay"] = "00:00:00.400",
        ["Webhooks:PollInterval"] = "00:00:00.050",
        ["Webhooks:RetryWindow"] = "00:10:00",
        ["Webhooks:DisableAfter"] = "00:10:00",
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Receiver.StartAsync();
        var port = Receiver.FreeLoopbackPort();
        Webhooks = new ServiceFactory<WebhooksService>(this, WebhooksService.Name, WebhookSettings);
        Webhooks.UseKestrel(port);
        Webhooks.StartServer();
        Gateway = new ServiceFactory<GatewayService>(this, GatewayService.Name, new Dictionary<string, string?>
        {
            [$"services:{ServiceRoutes.Webhooks}:http:0"] = $"http://127.0.0.1:{port}",
        });
        var gatewayPort = Receiver.FreeLoopbackPort();
        GatewayAddress = new Uri($"http://127.0.0.1:{gatewayPort}");
        Gateway.UseKestrel(gatewayPort);
        Gateway.StartServer();
        _bus = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(new Uri(RabbitMqConnectionString)));
        await _bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        // The service's queue and its bindings exist once its bus is up, which its /health reports.
        using var probe = Webhooks.CreateClient();
        await Eventually.TrueAsync(async () => (await probe.GetAsync("/health")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "the webhooks service healthy");
    }

    public override async Task DisposeAsync()
    {
        await _bus.StopAsync();
        await Gateway.DisposeAsync();
        await Webhooks.DisposeAsync();
        await Receiver.DisposeAsync();
        await base.DisposeAsync();
    }

    /// <summary>Publishes an integration event the way the services' relays do: the event id is the message id.</summary>
    public Task PublishAsync(IIntegrationEvent integrationEvent) =>
        _bus.Publish(integrationEvent, integrationEvent.GetType(), context => context.MessageId = integrationEvent.EventId);

    /// <summary>A client of the gateway signed in as a staff member of <paramref name="practiceId"/>.</summary>
    public HttpClient Admin(Guid practiceId, string role = StaffRoles.Admin)
    {
        var token = TestIdentityProvider.Started.Issue(new StaffUser(practiceId, "admin-1", "Alex Admin", role));
        var client = Gateway.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static InviteIssued Invited(Guid practice, string patient, DateTimeOffset at) =>
        new(Guid.NewGuid(), practice, patient, at, Guid.NewGuid(), at.AddDays(14), false, null, "staff-7");

    public static AccessRevoked Revoked(Guid practice, string patient, DateTimeOffset at) =>
        new(Guid.NewGuid(), practice, patient, at, RevocationReason.PatientRequest, "provider-3");

    public static RegistrationCompleted Registered(Guid practice, string patient, DateTimeOffset at) =>
        new(Guid.NewGuid(), practice, patient, at, Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), false);

    public static string NewPatient() => "P-" + Guid.NewGuid().ToString("N")[..8];

    public static string NewPath() => "hook-" + Guid.NewGuid().ToString("N")[..8];
}

/// <summary>The subscription API as an admin calls it through the gateway.</summary>
public static class WebhookApi
{
    public sealed record Created(Guid Id, string Secret, DateTimeOffset? PreviousSecretExpiresAt);

    public sealed record SubscriptionRow(Guid Id, string Url, List<string> Events, bool Enabled, string? DisabledReason, DateTimeOffset? DisabledAt, DateTimeOffset? FailingSince);

    public sealed record Attempt(int Number, DateTimeOffset At, int? StatusCode, int LatencyMs, bool Succeeded, string Outcome, string? ResponseExcerpt);

    public sealed record DeliveryRow(Guid Id, Guid EventId, string EventType, string PatientId, DateTimeOffset OccurredAt, DateTimeOffset ConsumedAt, string State, int AttemptCount, List<Attempt> Attempts);

    public static async Task<Created> SubscribeAsync(this HttpClient admin, string url, params string[] events)
    {
        var response = await admin.PostAsJsonAsync("/api/practice/webhooks", new { url, events = events.Length == 0 ? null : events });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Created>(WebhookServers.Json))!;
    }

    public static async Task<SubscriptionRow> SubscriptionAsync(this HttpClient admin, Guid id) =>
        (await admin.GetFromJsonAsync<SubscriptionRow>($"/api/practice/webhooks/{id}", WebhookServers.Json))!;

    public static async Task<List<DeliveryRow>> DeliveriesAsync(this HttpClient admin, Guid id) =>
        (await admin.GetFromJsonAsync<List<DeliveryRow>>($"/api/practice/webhooks/{id}/deliveries", WebhookServers.Json))!;

    public static string Iso(DateTimeOffset at) => at.ToString("O", CultureInfo.InvariantCulture);
}
