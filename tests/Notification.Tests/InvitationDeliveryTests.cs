using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using PortalPlatform.Contracts;
using PortalPlatform.Hosting.Local;
using PortalPlatform.ServiceDefaults.Security;
using PortalPlatform.Testing;

namespace PortalPlatform.Notification.Tests;

/// <summary>The service against a real SMTP server (aiosmtpd), the SMS sink over HTTP, PostgreSQL and RabbitMQ.</summary>
public sealed class InvitationDeliveryTests(NotificationServers servers) : NotificationServiceTests(servers)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly Guid _practice = Guid.NewGuid();

    [Fact]
    public async Task The_invitation_email_arrives_over_SMTP_with_the_registration_link_and_the_text_through_the_SMS_provider()
    {
        var email = NotificationServers.UniqueEmail();
        var phone = NotificationServers.UniquePhone();
        var command = NotificationServers.Invitation(_practice, email, phone);

        await Servers.SendAsync(command);

        var mail = await Eventually.GetAsync(() => Task.FromResult(MailSink.ReadAll().SingleOrDefault(m => m.To.Contains(email))), Patience, "the invitation email");
        Assert.Contains(NotificationServers.LinkOf(command), mail.Text);
        Assert.Contains(NotificationServers.LinkOf(command), mail.Html);
        Assert.Contains("Riverside Family Practice", mail.Subject);
        Assert.Equal("portal@riverside.example", mail.From);
        var text = await Eventually.GetAsync(() => Task.FromResult(SmsSink.ReadAll().SingleOrDefault(s => s.To == phone)), Patience, "the invitation text");
        Assert.Contains(NotificationServers.LinkOf(command), text.Body);
        Assert.Equal("+12025550100", text.From);
        await Eventually.TrueAsync(() => Servers.Delivered.Count(d => d.InvitationId == command.InvitationId) == 2, Patience, "InviteDelivered for email and text");
        Assert.Equal(
            [DeliveryChannel.Email, DeliveryChannel.Sms],
            Servers.Delivered.Where(d => d.InvitationId == command.InvitationId).Select(d => d.Channel).Order());
        Assert.All(Servers.Delivered.Where(d => d.InvitationId == command.InvitationId), d =>
        {
            Assert.Equal(_practice, d.PracticeId);
            Assert.Equal(command.PatientId, d.PatientId);
        });
    }

    [Fact]
    public async Task A_declined_access_request_is_told_by_email_with_first_name_and_practice_only()
    {
        var email = NotificationServers.UniqueEmail();
        var phone = NotificationServers.UniquePhone();
        var command = new DeliverAccessRequestDeclined(
            Guid.NewGuid(), _practice, $"P-{Guid.NewGuid():N}"[..10], Guid.NewGuid(), AccessRequestKind.Review, "Riverside Family Practice", "Ana", email, phone);

        await Servers.SendAsync(command);

        var mail = await Eventually.GetAsync(() => Task.FromResult(MailSink.ReadAll().SingleOrDefault(m => m.To.Contains(email))), Patience, "the email");
        Assert.Equal("Riverside Family Practice: your patient portal request", mail.Subject);
        Assert.Contains("Hello Ana,", mail.Text);
        Assert.Contains("has reviewed your request", mail.Text);
        Assert.Contains("Hello Ana,", mail.Html);
    }

    [Fact]
    public async Task A_redelivered_command_sends_nothing_twice()
    {
        var email = NotificationServers.UniqueEmail();
        var phone = NotificationServers.UniquePhone();
        var command = NotificationServers.Invitation(_practice, email, phone);

        // Two copies at once (a redelivery racing the original), and one more after the message went out.
        await Task.WhenAll(Servers.SendAsync(command), Servers.SendAsync(command));
        await Eventually.TrueAsync(() => MailSink.ReadAll().Any(m => m.To.Contains(email)), Patience, "the first email");
        await Servers.SendAsync(command);

        await Eventually.TrueAsync(() => ConsumedCount(command.CommandId) == 3, Patience, "all three copies consumed");
        using var staff = Service.StaffClient(_practice);
        var deliveries = await Eventually.GetAsync(async () =>
        {
            var rows = await staff.DeliveriesAsync(command.PatientId);
            return rows.Count == 2 && rows.All(r => r.State == "Sent") ? rows : null;
        }, Patience, "both deliveries sent");
        Assert.All(deliveries, d => Assert.Equal(1, d.Attempts));
        Assert.Single(MailSink.ReadAll(), m => m.To.Contains(email));
        Assert.Single(SmsSink.ReadAll(), s => s.To == phone);
        await Eventually.TrueAsync(() => Servers.Delivered.Count(d => d.InvitationId == command.InvitationId) >= 2, Patience, "InviteDelivered");
        Assert.Equal(2, Servers.Delivered.Where(d => d.InvitationId == command.InvitationId).Select(d => d.EventId).Distinct().Count());
    }

    [Fact]
    public async Task A_refusing_SMTP_server_gives_InviteDeliveryFailed_with_the_reason_and_the_text_still_goes_out()
    {
        var email = NotificationServers.UniqueEmail(LocalMailSink.RefusedDomain);
        var phone = NotificationServers.UniquePhone();
        var command = NotificationServers.Invitation(_practice, email, phone);

        await Servers.SendAsync(command);

        var failed = await Eventually.GetAsync(
            () => Task.FromResult(Servers.Failed.SingleOrDefault(f => f.InvitationId == command.InvitationId)), Patience, "InviteDeliveryFailed");
        Assert.Equal(DeliveryChannel.Email, failed.Channel);
        Assert.True(failed.Permanent);
        Assert.Contains("550", failed.Reason);
        Assert.DoesNotContain(email, failed.Reason);
        var delivered = await Eventually.GetAsync(
            () => Task.FromResult(Servers.Delivered.SingleOrDefault(d => d.InvitationId == command.InvitationId)), Patience, "InviteDelivered for the text");
        Assert.Equal(DeliveryChannel.Sms, delivered.Channel);
        Assert.Single(SmsSink.ReadAll(), s => s.To == phone);
        Assert.DoesNotContain(MailSink.ReadAll(), m => m.To.Contains(email));

        using var staff = Service.StaffClient(_practice);
        var rows = await staff.DeliveriesAsync(command.PatientId);
        var emailRow = Assert.Single(rows, r => r.Channel == "Email");
        Assert.Equal("Failed", emailRow.State);
        Assert.Equal(1, emailRow.Attempts);
        Assert.Contains("550", emailRow.LastError);
        Assert.Equal("Sent", Assert.Single(rows, r => r.Channel == "Sms").State);
    }

    [Fact]
    public async Task A_busy_SMTP_server_4xx_is_retried_not_reported_as_failed()
    {
        var command = NotificationServers.Invitation(_practice, NotificationServers.UniqueEmail(LocalMailSink.BusyDomain), null);

        await Servers.SendAsync(command);

        using var staff = Service.StaffClient(_practice);
        var row = await Eventually.GetAsync(async () =>
            (await staff.DeliveriesAsync(command.PatientId)).SingleOrDefault(r => r.Attempts >= 3 && r.State == "Queued"), Patience, "three attempts, waiting for the next");
        Assert.Contains("451", row.LastError);
        Assert.DoesNotContain(Servers.Failed, f => f.InvitationId == command.InvitationId);
    }

    [Fact]
    public async Task Staff_see_their_own_practice_deliveries_with_masked_addresses_only()
    {
        var command = NotificationServers.Invitation(_practice, "jane.doe@example.com", "(201) 555-0134");
        await Servers.SendAsync(command);
        using var staff = Service.StaffClient(_practice);

        var rows = await Eventually.GetAsync(async () =>
        {
            var list = await staff.DeliveriesAsync(command.PatientId);
            return list.Count == 2 && list.All(r => r.State == "Sent") ? list : null;
        }, Patience, "two sent deliveries");

        Assert.Equal("j***@example.com", Assert.Single(rows, r => r.Channel == "Email").Address);
        Assert.Equal("***-***-0134", Assert.Single(rows, r => r.Channel == "Sms").Address);
        Assert.All(rows, r => Assert.Equal("Invitation", r.Kind));
        Assert.All(rows, r => Assert.NotNull(r.SentAt));
        using var otherPractice = Service.StaffClient(Guid.NewGuid());
        Assert.Empty(await otherPractice.DeliveriesAsync(command.PatientId));
        using var anonymous = Service.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/patients/{command.PatientId}/portal/deliveries")).StatusCode);
    }

    [Fact]
    public async Task A_patient_id_that_is_too_long_is_a_problem_naming_the_field()
    {
        using var staff = Service.StaffClient(_practice, StaffRoles.Admin);

        var response = await staff.GetAsync($"/api/patients/{new string('x', 200)}/portal/deliveries");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("patientId", await response.Content.ReadAsStringAsync());
    }

    // MassTransit's "process" span: one per delivery of the message to the consumer, duplicates included.
    private int ConsumedCount(Guid messageId) => Service.Spans.Count(span =>
        span.Kind == ActivityKind.Consumer
        && span.GetTagItem("messaging.operation") as string == "process"
        && span.GetTagItem("messaging.masstransit.consumer_type") as string == typeof(Invitations.DeliverInvitationConsumer).FullName
        && string.Equals(span.GetTagItem("messaging.masstransit.message_id")?.ToString(), messageId.ToString(), StringComparison.OrdinalIgnoreCase));
}
