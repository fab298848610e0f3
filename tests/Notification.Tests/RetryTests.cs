using PortalPlatform.Contracts;
using PortalPlatform.Hosting.Local;
using PortalPlatform.Testing;

namespace PortalPlatform.Notification.Tests;

/// <summary>Outages of the mail server and the SMS provider, and restarts of the service in between.</summary>
public sealed class RetryTests(NotificationServers servers) : IClassFixture<NotificationServers>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly Guid _practice = Guid.NewGuid();

    [Fact]
    public async Task A_mail_server_that_is_down_then_comes_back_gets_the_email_delivered_by_the_retry()
    {
        await using var sms = servers.NewSmsSink();
        await sms.StartAsync();
        await using var mail = servers.NewMailSink(); // its port stays closed for now
        await using var service = servers.Service(mail.Port, sms);
        _ = service.Server;
        var email = NotificationServers.UniqueEmail();
        var command = NotificationServers.Invitation(_practice, email, null);

        await servers.SendAsync(command);
        using var staff = service.StaffClient(_practice);
        var waiting = await Eventually.GetAsync(async () =>
            (await staff.DeliveriesAsync(command.PatientId)).SingleOrDefault(r => r.Attempts >= 2 && r.State == "Queued"), Patience, "failed attempts while down");
        Assert.Contains("unreachable", waiting.LastError);
        await mail.StartAsync();

        var received = await Eventually.GetAsync(() => Task.FromResult(mail.ReadAll().SingleOrDefault(m => m.To.Contains(email))), Patience, "the email after the outage");
        Assert.Contains(NotificationServers.LinkOf(command), received.Text);
        var delivered = await Eventually.GetAsync(
            () => Task.FromResult(servers.Delivered.SingleOrDefault(d => d.InvitationId == command.InvitationId)), Patience, "InviteDelivered");
        Assert.Equal(DeliveryChannel.Email, delivered.Channel);
        Assert.DoesNotContain(servers.Failed, f => f.InvitationId == command.InvitationId);
        var row = Assert.Single(await staff.DeliveriesAsync(command.PatientId));
        Assert.Equal("Sent", row.State);
        Assert.True(row.Attempts > waiting.Attempts);
    }

    [Fact]
    public async Task A_pending_retry_survives_a_restart_of_the_service_and_sends_once()
    {
        await using var sms = servers.NewSmsSink();
        await sms.StartAsync();
        await using var mail = servers.NewMailSink();
        var email = NotificationServers.UniqueEmail();
        var command = NotificationServers.Invitation(_practice, email, null);

        await using (var first = servers.Service(mail.Port, sms))
        {
            _ = first.Server;
            await servers.SendAsync(command);
            using var staff = first.StaffClient(_practice);
            await Eventually.TrueAsync(async () =>
                (await staff.DeliveriesAsync(command.PatientId)).Any(r => r.Attempts >= 1 && r.State == "Queued"), Patience, "a failed attempt before the restart");
        }

        await mail.StartAsync();
        await using var second = servers.Service(mail.Port, sms);
        _ = second.Server;

        await Eventually.TrueAsync(() => mail.ReadAll().Any(m => m.To.Contains(email)), Patience, "the email after the restart");
        using var staffAfter = second.StaffClient(_practice);
        await Eventually.TrueAsync(async () => (await staffAfter.DeliveriesAsync(command.PatientId)).Single().State == "Sent", Patience, "the delivery recorded as sent");
        Assert.Single(mail.ReadAll(), m => m.To.Contains(email));
    }

    [Fact]
    public async Task An_SMS_provider_outage_is_retried_and_the_code_is_texted_once()
    {
        await using var sms = servers.NewSmsSink();
        await sms.StartAsync();
        await using var mail = servers.NewMailSink();
        await mail.StartAsync();
        await using var service = servers.Service(mail.Port, sms);
        _ = service.Server;
        var phone = NotificationServers.UniquePhone();
        var command = NotificationServers.OneTimeCode(_practice, "P-otp", phone, "482913", DateTimeOffset.UtcNow.AddMinutes(10));
        sms.FailNext(2);

        await servers.SendAsync(command);

        var text = await Eventually.GetAsync(() => Task.FromResult(sms.ReadAll().SingleOrDefault(s => s.To == phone)), Patience, "the code by text");
        Assert.Contains("482913", text.Body);
        using var staff = service.StaffClient(_practice);
        var row = await Eventually.GetAsync(async () =>
            (await staff.DeliveriesAsync("P-otp")).SingleOrDefault(r => r.State == "Sent"), Patience, "the delivery recorded as sent");
        Assert.Equal(3, row.Attempts);
        Assert.Equal("OneTimeCode", row.Kind);
        Assert.Single(sms.ReadAll(), s => s.To == phone);
    }

    [Fact]
    public async Task A_slow_SMTP_server_still_gets_exactly_one_email_when_the_command_is_redelivered_meanwhile()
    {
        await using var sms = servers.NewSmsSink();
        await sms.StartAsync();
        await using var mail = servers.NewMailSink();
        await mail.StartAsync();
        await using var service = servers.Service(mail.Port, sms);
        _ = service.Server;
        var email = NotificationServers.UniqueEmail(LocalMailSink.SlowDomain);
        var command = NotificationServers.Invitation(_practice, email, null);

        await servers.SendAsync(command);
        using var staff = service.StaffClient(_practice);
        await Eventually.TrueAsync(async () =>
            (await staff.DeliveriesAsync(command.PatientId)).Any(r => r.State == "Sending"), Patience, "the send in progress");
        await servers.SendAsync(command);

        await Eventually.TrueAsync(async () => (await staff.DeliveriesAsync(command.PatientId)).Single().State == "Sent", Patience, "the slow send accepted");
        Assert.Single(mail.ReadAll(), m => m.To.Contains(email));
        Assert.Equal(1, (await staff.DeliveriesAsync(command.PatientId)).Single().Attempts);
    }
}
