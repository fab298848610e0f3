using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MassTransit;
using Npgsql;
using Microsoft.Extensions.DependencyInjection;
using PortalPlatform.Contracts;
using PortalPlatform.Hosting.Local;
using PortalPlatform.ServiceDefaults.Messaging;
using PortalPlatform.ServiceDefaults.Security;
using PortalPlatform.Testing;

namespace PortalPlatform.Notification.Tests;

/// <summary>
/// The test class's own database and vhost, plus a bus on that vhost that sends the real commands and hears
/// every InviteDelivered / InviteDeliveryFailed the service publishes.
/// </summary>
public sealed class NotificationServers : IsolatedServers
{
    /// <summary>The deployment's SMS status-callback secret (Standard Webhooks form).</summary>
    public static readonly string CallbackSecret = "whsec_" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public ConcurrentQueue<InviteDelivered> Delivered { get; } = new();
    public ConcurrentQueue<InviteDeliveryFailed> Failed { get; } = new();
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "portalplatform-notification-tests", Guid.NewGuid().ToString("N")[..12]);

    private IBusControl _bus = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _bus = Bus.Factory.CreateUsingRabbitMq(rabbit =>
        {
            rabbit.Host(new Uri(RabbitMqConnectionString));
            rabbit.ReceiveEndpoint("tests-delivery-outcomes", endpoint =>
            {
                endpoint.Handler<InviteDelivered>(context => { Delivered.Enqueue(context.Message); return Task.CompletedTask; });
                endpoint.Handler<InviteDeliveryFailed>(context => { Failed.Enqueue(context.Message); return Task.CompletedTask; });
            });
        });
        await _bus.StartAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
    }

    public override async Task DisposeAsync()
    {
        await _bus.StopAsync();
        await base.DisposeAsync();
    }

    public async Task SendAsync<TCommand>(TCommand command) where TCommand : class, IPortalCommand
    {
        var endpoint = await _bus.GetSendEndpoint(CommandRouting.AddressOf(typeof(TCommand)));
        await endpoint.Send(command, context => context.MessageId = command.CommandId);
    }

    /// <summary>Publishes an integration event as its producer would (the event id is the message id).</summary>
    public Task PublishAsync<TEvent>(TEvent integrationEvent) where TEvent : class, IIntegrationEvent =>
        _bus.Publish(integrationEvent, context => context.MessageId = integrationEvent.EventId);

    /// <summary>Every row of every table of the service's database, as text: what a secret would be found in if it were kept.</summary>
    public async Task<string> StoreTextAsync()
    {
        await using var connection = new NpgsqlConnection(DatabaseConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand(
            "select quote_ident(table_schema) || '.' || quote_ident(table_name) from information_schema.tables " +
            "where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var text = new StringBuilder();
        foreach (var table in tables)
        {
            await using var rows = new NpgsqlCommand($"select t::text from {table} t", connection);
            await using var reader = await rows.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                text.Append(table).Append(": ").AppendLine(reader.GetString(0));
            }
        }

        return text.ToString();
    }

    public LocalMailSink NewMailSink(int? port = null) => new(Path.Combine(Root, $"mail-{Guid.NewGuid():N}"), port ?? Ports.Free());

    public LocalSmsSink NewSmsSink() => new(Path.Combine(Root, $"sms-{Guid.NewGuid():N}"), Ports.Free());

    /// <summary>The real service, pointed at the sinks, with retries fast enough for a test.</summary>
    public ServiceFactory<NotificationService> Service(int smtpPort, LocalSmsSink sms) => new ServiceFactory<NotificationService>(this, NotificationService.Name, new Dictionary<string, string?>
    {
        ["ConnectionStrings:smtp"] = $"smtp://127.0.0.1:{smtpPort}",
        ["Smtp:Security"] = "None",
        ["Smtp:From"] = "portal@riverside.example",
        ["Smtp:FromName"] = "Riverside Family Practice",
        ["Smtp:Timeout"] = "00:00:20",
        ["Sms:BaseUrl"] = sms.BaseUrl.ToString(),
        ["Sms:ApiKey"] = sms.ApiKey,
        ["Sms:From"] = "+12025550100",
        ["Sms:StatusCallbackSecret"] = CallbackSecret,
        ["Delivery:FirstRetryDelay"] = "00:00:00.200",
        ["Delivery:MaxRetryDelay"] = "00:00:01",
        ["Delivery:MaxAttempts"] = "50",
        ["Delivery:PollInterval"] = "00:00:00.100",
        ["Delivery:SendLease"] = "00:00:30",
    });

    /// <summary>An invitation as Identity-Verification sends it: the link sealed for this command.</summary>
    public static DeliverInvitation Invitation(Guid practiceId, string? email, string? phone, InvitationTemplate template = InvitationTemplate.Invitation)
    {
        var commandId = Guid.NewGuid();
        return new(
            commandId, practiceId, $"P-{Guid.NewGuid():N}"[..10], Guid.NewGuid(), "Riverside Family Practice", "Ana", email, phone,
            DevelopmentCommandSecrets.Instance.Seal($"https://portal.example/register?token={Guid.NewGuid():N}", commandId), DateTimeOffset.UtcNow.AddDays(14), template);
    }

    /// <summary>A one-time code as Identity-Verification sends it: the code sealed for this command.</summary>
    public static DeliverOneTimeCode OneTimeCode(Guid practiceId, string patientId, string phone, string code, DateTimeOffset expiresAt)
    {
        var commandId = Guid.NewGuid();
        return new(commandId, practiceId, patientId, Guid.NewGuid(), "Riverside Family Practice", phone, DevelopmentCommandSecrets.Instance.Seal(code, commandId), expiresAt);
    }

    /// <summary>The link an invitation command carries, opened as the service opens it.</summary>
    public static string LinkOf(DeliverInvitation command) => DevelopmentCommandSecrets.Instance.Open(command.SealedRegistrationLink, command.CommandId);

    public static string UniqueEmail(string domain = "example.com") => $"ana.{Guid.NewGuid():N}"[..16] + "@" + domain;

    public static string UniquePhone() => FictionalPhones.Next();
}

/// <summary>Reads the staff deliveries API of a running service.</summary>
public static class StaffApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static HttpClient StaffClient(this ServiceFactory<NotificationService> service, Guid practiceId, string role = StaffRoles.Staff)
    {
        var token = TestIdentityProvider.Started.Issue(new StaffUser(practiceId, "u-1", "Sam Staff", role));
        var client = service.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public static async Task<List<DeliveryRow>> DeliveriesAsync(this HttpClient client, string patientId)
    {
        var response = await client.GetAsync($"/api/patients/{Uri.EscapeDataString(patientId)}/portal/deliveries");
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<List<DeliveryRow>>(Json))!;
    }
}

public sealed record DeliveryRow(
    Guid DeliveryId, Guid? InvitationId, string Kind, string Channel, string Address, string State, int Attempts,
    string? LastError, DateTimeOffset QueuedAt, DateTimeOffset UpdatedAt, DateTimeOffset? SentAt);
