using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment;
using PortalPlatform.IdentityVerification;
using PortalPlatform.Notification;
using PortalPlatform.ServiceDefaults.Messaging;
using PortalPlatform.Webhooks;
using PortalPlatform.Testing;
using RabbitMQ.Client;

namespace PortalPlatform.Foundation.Tests;

/// <summary>
/// The broker users of <see cref="BrokerPermissions"/>, created on the real broker: each service runs with its own
/// (its consumers bind, its events go out) and cannot publish an event another service owns.
/// </summary>
public sealed class BrokerPermissionTests(IsolatedServers servers) : IClassFixture<IsolatedServers>
{
    public static TheoryData<string> Services => [EnrollmentService.Name, IdentityVerificationService.Name, NotificationService.Name, WebhooksService.Name];

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Each_service_runs_with_only_its_own_broker_permissions(string service)
    {
        var broker = await CreateUserAsync(BrokerPermissions.ForService(service));
        var overrides = new Dictionary<string, string?>
        {
            ["ConnectionStrings:rabbitmq"] = broker,
            ["ConnectionStrings:smtp"] = "smtp://127.0.0.1:2525",
            ["Sms:BaseUrl"] = "http://127.0.0.1:2526/",
            ["Sms:ApiKey"] = "permission-test-key",
            ["Sms:From"] = "PortalPlatform",
        };
        await using IAsyncDisposable running = service switch
        {
            EnrollmentService.Name => new ServiceFactory<EnrollmentService>(servers, service, overrides),
            IdentityVerificationService.Name => new ServiceFactory<IdentityVerificationService>(servers, service, overrides),
            WebhooksService.Name => new ServiceFactory<WebhooksService>(servers, service, overrides),
            _ => new ServiceFactory<NotificationService>(servers, service, overrides),
        };
        using var client = running switch
        {
            ServiceFactory<EnrollmentService> f => f.CreateClient(),
            ServiceFactory<IdentityVerificationService> f => f.CreateClient(),
            ServiceFactory<NotificationService> f => f.CreateClient(),
            ServiceFactory<WebhooksService> f => f.CreateClient(),
            _ => throw new InvalidOperationException(),
        };

        // Every consumer endpoint declared and bound with the service's own user: the bus reports healthy.
        await Eventually.TrueAsync(async () =>
        {
            using var response = await client.GetAsync("/health");
            var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            return report.GetProperty("checks").GetProperty("rabbitmq").GetProperty("status").GetString() == "Healthy";
        }, TimeSpan.FromSeconds(45), $"{service}'s bus to be healthy with its own broker user");
    }

    [Fact]
    public async Task A_service_user_can_publish_its_own_events_but_not_another_services()
    {
        // Probe queues bound (by the admin user) to both exchanges, to see what gets through.
        await using var probes = await ProbeQueues.BindAsync(servers.RabbitMqConnectionString, typeof(InviteIssued), typeof(InviteDelivered));
        await using var app = await EnrollmentMessagingAsync();
        var bus = app.Services.GetRequiredService<IBus>();

        await bus.Publish(new InviteIssued(Guid.NewGuid(), Guid.NewGuid(), "p-1", DateTimeOffset.UtcNow, Guid.NewGuid(), DateTimeOffset.UtcNow.AddDays(14), false, null, "u-1"));
        await Eventually.TrueAsync(async () => await probes.CountAsync(typeof(InviteIssued)) == 1, what: "Enrollment's own event to reach its exchange");

        // A delivery receipt is Notification's to announce: the broker refuses Enrollment's user the exchange
        // (MassTransit keeps retrying the refused publish, so it never completes), and nothing gets through.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            bus.Publish(new InviteDelivered(Guid.NewGuid(), Guid.NewGuid(), "p-1", DateTimeOffset.UtcNow, Guid.NewGuid(), Guid.NewGuid(), DeliveryChannel.Email), timeout.Token));
        Assert.Equal(0u, await probes.CountAsync(typeof(InviteDelivered)));
    }

    [Fact]
    public async Task A_service_user_can_send_its_commands_to_their_queues()
    {
        await using var app = await EnrollmentMessagingAsync();
        var bus = app.Services.GetRequiredService<IBus>();

        // Sending to "queue:create-registration" declares the queue and binds it to its exchange, which needs read on
        // the exchange (of the same name): a refused bind would make the send retry forever.
        var endpoint = await bus.GetSendEndpoint(CommandRouting.AddressOf(typeof(CreateRegistration)));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await endpoint.Send(new CreateRegistration(Guid.NewGuid(), Guid.NewGuid(), "p-1", Guid.NewGuid(), DateTimeOffset.UtcNow.AddDays(14),
            "Riverside Family Practice", "Ana", new DateOnly(1980, 1, 1), "ana@example.com", null, InvitationTemplate.Invitation, null), timeout.Token);

        var admin = await new ConnectionFactory { Uri = new Uri(servers.RabbitMqConnectionString) }.CreateConnectionAsync();
        await using (admin)
        {
            await using var channel = await admin.CreateChannelAsync();
            await Eventually.TrueAsync(async () => (await channel.QueueDeclarePassiveAsync(CommandQueues.CreateRegistration)).MessageCount == 1,
                what: "the command in Identity-Verification's queue");
        }
    }

    [Fact]
    public void An_integrator_may_read_events_into_its_own_queues_and_write_nowhere_else()
    {
        var integrator = BrokerPermissions.ForIntegrator("analytics");

        Assert.Matches(integrator.Read, "PortalPlatform.Contracts:InviteIssued");
        Assert.Matches(integrator.Write, "integrator.analytics.invites");
        Assert.DoesNotMatch(integrator.Write, "PortalPlatform.Contracts:InviteIssued");
        Assert.DoesNotMatch(integrator.Write, "integrator.crm.invites");
        Assert.DoesNotMatch(integrator.Read, CommandQueues.DeliverInvitation);
        Assert.DoesNotMatch(integrator.Configure, "PortalPlatform.Contracts:InviteIssued");
    }

    private sealed class ProbeQueues(IConnection connection, IChannel channel) : IAsyncDisposable
    {
        public static async Task<ProbeQueues> BindAsync(string broker, params Type[] messageTypes)
        {
            var connection = await new ConnectionFactory { Uri = new Uri(broker) }.CreateConnectionAsync();
            var channel = await connection.CreateChannelAsync();
            foreach (var type in messageTypes)
            {
                var exchange = $"{type.Namespace}:{type.Name}";
                await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true);
                await channel.QueueDeclareAsync(QueueOf(type), durable: false, exclusive: false, autoDelete: false);
                await channel.QueueBindAsync(QueueOf(type), exchange, "");
            }

            return new ProbeQueues(connection, channel);
        }

        public async Task<uint> CountAsync(Type messageType) => (await channel.QueueDeclarePassiveAsync(QueueOf(messageType))).MessageCount;

        private static string QueueOf(Type messageType) => "probe-" + messageType.Name;

        public async ValueTask DisposeAsync()
        {
            await channel.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    /// <summary>A host with Enrollment's messaging only, on the broker as Enrollment's own user.</summary>
    private async Task<WebApplication> EnrollmentMessagingAsync()
    {
        var builder = TestHosts.Create(servers, EnrollmentService.Name);
        builder.Configuration["ConnectionStrings:rabbitmq"] = await CreateUserAsync(BrokerPermissions.ForService(EnrollmentService.Name));
        builder.AddPortalMessaging(EnrollmentService.Name);
        return await builder.Build().StartConnectedAsync();
    }

    /// <summary>Creates the user with its permissions in the test class's virtual host; returns its connection string.</summary>
    private async Task<string> CreateUserAsync(BrokerPermission permission)
    {
        var root = servers.Servers.RabbitMqRoot;
        var admin = root.UserInfo.Split(':').Select(Uri.UnescapeDataString).ToArray();
        using var http = new HttpClient { BaseAddress = servers.Servers.RabbitMqManagement };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{admin[0]}:{admin.ElementAtOrDefault(1)}")));
        var user = $"{permission.User}-{Guid.NewGuid():N}"[..40];
        var password = Guid.NewGuid().ToString("N");
        (await http.PutAsJsonAsync($"api/users/{Uri.EscapeDataString(user)}", new { password, tags = "" })).EnsureSuccessStatusCode();
        (await http.PutAsJsonAsync(
            $"api/permissions/{Uri.EscapeDataString(servers.Name)}/{Uri.EscapeDataString(user)}",
            new { configure = permission.Configure, write = permission.Write, read = permission.Read })).EnsureSuccessStatusCode();
        return new UriBuilder(root) { UserName = user, Password = password, Path = "/" + Uri.EscapeDataString(servers.Name) }.Uri.ToString();
    }
}
