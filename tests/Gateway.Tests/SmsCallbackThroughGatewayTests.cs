using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using PortalPlatform.Contracts;
using PortalPlatform.Gateway.Routing;
using PortalPlatform.Hosting.Local;
using PortalPlatform.Notification;
using PortalPlatform.Notification.Deliveries;
using PortalPlatform.ServiceDefaults.Messaging;
using PortalPlatform.ServiceDefaults.Security;
using PortalPlatform.Testing;

namespace PortalPlatform.Gateway.Tests;

/// <summary>
/// The SMS sink (the development provider) and the real gateway and Notification service on loopback sockets: the
/// sink's status callbacks, signed with the secret both were given, go through the gateway's public callback route.
/// </summary>
public class GatewayInFrontOfNotification : IsolatedServers
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "portalplatform-gateway-sms-tests", Guid.NewGuid().ToString("N")[..12]);

    public ServiceFactory<NotificationService> Notification { get; private set; } = null!;
    public ServiceFactory<GatewayService> Gateway { get; private set; } = null!;
    public LocalSmsSink Sms { get; private set; } = null!;
    public Uri GatewayAddress { get; private set; } = null!;
    private LocalMailSink _mail = null!;

    /// <summary>The gateway's own settings (its destination is added to them).</summary>
    protected virtual Dictionary<string, string?> GatewaySettings() => [];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var (gatewayPort, notificationPort) = (Ports.Free(), Ports.Free());
        GatewayAddress = new Uri($"http://127.0.0.1:{gatewayPort}");
        _mail = new LocalMailSink(Path.Combine(_root, "mail"), Ports.Free());
        Sms = new LocalSmsSink(Path.Combine(_root, "sms"), Ports.Free()) { StatusCallbackUrl = new Uri(GatewayAddress, ServiceRoutes.SmsStatusCallbackPath) };
        await Task.WhenAll(_mail.StartAsync(), Sms.StartAsync());
        Notification = new ServiceFactory<NotificationService>(this, NotificationService.Name, new Dictionary<string, string?>
        {
            ["ConnectionStrings:smtp"] = $"smtp://127.0.0.1:{_mail.Port}",
            ["Smtp:Security"] = "None",
            ["Smtp:From"] = "portal@riverside.example",
            ["Sms:BaseUrl"] = Sms.BaseUrl.ToString(),
            ["Sms:ApiKey"] = Sms.ApiKey,
            ["Sms:From"] = "+12025550100",
            ["Sms:StatusCallbackSecret"] = Sms.StatusCallbackSecret,
            ["Delivery:PollInterval"] = "00:00:00.100",
        });
        Notification.UseKestrel(notificationPort);
        Notification.StartServer();
        var gateway = GatewaySettings();
        gateway[$"services:{ServiceRoutes.Notification}:http:0"] = $"http://127.0.0.1:{notificationPort}";
        Gateway = new ServiceFactory<GatewayService>(this, GatewayService.Name, gateway);
        Gateway.UseKestrel(gatewayPort);
        Gateway.StartServer();
    }

    public override async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Notification.DisposeAsync();
        await Sms.DisposeAsync();
        await _mail.DisposeAsync();
        await base.DisposeAsync();
    }

    /// <summary>A client of the gateway's socket, signed in as staff of <paramref name="practiceId"/> when given.</summary>
    public HttpClient Client(Guid? practiceId = null)
    {
        var client = new HttpClient { BaseAddress = GatewayAddress };
        if (practiceId is { } practice)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
                StaffTokens.Issue(new StaffUser(practice, "staff-1", "Sam Staff", StaffRoles.Staff)));
        }

        return client;
    }

    /// <summary>Has Notification text an invitation (as Enrollment's command would) and waits until staff see it sent.</summary>
    public async Task<(string PatientId, Guid DeliveryId, CapturedSms Text)> SentTextAsync(Guid practiceId)
    {
        var phone = FictionalPhones.Next();
        var commandId = Guid.NewGuid();
        var link = DevelopmentCommandSecrets.Instance.Seal($"https://portal.example/register?token={Guid.NewGuid():N}", commandId);
        var command = new DeliverInvitation(commandId, practiceId, $"P-{Guid.NewGuid():N}"[..10], Guid.NewGuid(), "Riverside Family Practice", "Ana",
            null, phone, link, DateTimeOffset.UtcNow.AddDays(14), InvitationTemplate.Invitation);
        var endpoint = await Notification.Services.GetRequiredService<ISendEndpointProvider>().GetSendEndpoint(CommandRouting.AddressOf(typeof(DeliverInvitation)));
        await endpoint.Send(command, context => context.MessageId = command.CommandId);
        var text = await Eventually.GetAsync(() => Task.FromResult(Sms.ReadAll().SingleOrDefault(s => s.To == phone)), TimeSpan.FromSeconds(60), "the text at the provider");
        var deliveryId = Guid.ParseExact(text.Reference!, "N");
        await Eventually.TrueAsync(async () => await StateAsync(practiceId, command.PatientId) == "Sent", TimeSpan.FromSeconds(60), "the text sent");
        return (command.PatientId, deliveryId, text);
    }

    /// <summary>The delivery's state as staff see it through the gateway.</summary>
    public async Task<string?> StateAsync(Guid practiceId, string patientId)
    {
        using var staff = Client(practiceId);
        var rows = await staff.GetFromJsonAsync<JsonElement>($"/api/patients/{patientId}/portal/deliveries");
        return rows.GetArrayLength() == 0 ? null : rows.EnumerateArray().Single().GetProperty("state").GetString();
    }

    public async Task<int> BouncesAsync(Guid deliveryId)
    {
        await using var session = Notification.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return (await session.Events.FetchStreamAsync(deliveryId)).Count(e => e.Data is DeliveryBounced);
    }
}

public sealed class SmsCallbackThroughGatewayTests(GatewayInFrontOfNotification platform) : IClassFixture<GatewayInFrontOfNotification>
{
    [Fact]
    public async Task The_provider_s_signed_undelivered_report_reaches_notification_through_the_gateway_and_bounces_the_text()
    {
        var practice = Guid.NewGuid();
        var (patientId, deliveryId, text) = await platform.SentTextAsync(practice);

        var answered = await platform.Sms.ReportStatusAsync(text, "undelivered", "30003 unreachable handset");

        Assert.Equal(HttpStatusCode.NoContent, answered);
        Assert.Equal("Bounced", await platform.StateAsync(practice, patientId));
        Assert.Equal(1, await platform.BouncesAsync(deliveryId));
        Assert.Contains(platform.Gateway.Spans, span => span.GetTagItem("url.path") as string == ServiceRoutes.SmsStatusCallbackPath);
    }

    [Fact]
    public async Task Through_the_gateway_an_unsigned_callback_is_refused_and_twenty_concurrent_signed_ones_all_succeed_and_bounce_once()
    {
        var practice = Guid.NewGuid();
        var (patientId, deliveryId, text) = await platform.SentTextAsync(practice);
        using var anonymous = platform.Client();
        var body = new { reference = deliveryId.ToString("N"), status = "undelivered" };

        using (var unsigned = await anonymous.PostAsJsonAsync(ServiceRoutes.SmsStatusCallbackPath, body))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
            Assert.Equal("application/problem+json", unsigned.Content.Headers.ContentType?.MediaType);
        }

        using (var staffKey = new HttpRequestMessage(HttpMethod.Post, ServiceRoutes.SmsStatusCallbackPath) { Content = JsonContent.Create(body) })
        {
            staffKey.Headers.Authorization = platform.Client(practice).DefaultRequestHeaders.Authorization;
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(staffKey)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.PostAsJsonAsync("/callbacks/sms/other", body)).StatusCode);
        Assert.Equal("Sent", await platform.StateAsync(practice, patientId));
        Assert.Equal(0, await platform.BouncesAsync(deliveryId));

        var statuses = Enumerable.Repeat("undelivered", 10).Concat(Enumerable.Repeat("failed", 5)).Concat(Enumerable.Repeat("delivered", 5));
        var answers = await Task.WhenAll(statuses.Select(status => platform.Sms.ReportStatusAsync(text, status, "30003")));

        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.NoContent, answer));
        Assert.Equal(1, await platform.BouncesAsync(deliveryId));
        Assert.Equal("Bounced", await platform.StateAsync(practice, patientId));
    }
}
