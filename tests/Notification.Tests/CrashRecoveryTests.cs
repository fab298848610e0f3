using Marten;
using Microsoft.Extensions.DependencyInjection;
using PortalPlatform.Contracts;
using PortalPlatform.Notification.Deliveries;
using PortalPlatform.Testing;

namespace PortalPlatform.Notification.Tests;

public sealed class CrashRecoveryTests(NotificationServers servers) : IClassFixture<NotificationServers>
{
    [Fact]
    public async Task An_attempt_whose_sender_died_mid_send_is_taken_over_when_its_lease_ends_and_sent_once()
    {
        await using var sms = servers.NewSmsSink();
        await sms.StartAsync();
        await using var mail = servers.NewMailSink();
        await mail.StartAsync();
        await using var service = servers.Service(mail.Port, sms);
        var store = service.Services.GetRequiredService<IDocumentStore>();
        var practice = Guid.NewGuid();
        var email = NotificationServers.UniqueEmail();
        var commandId = Guid.NewGuid();
        var id = DeliveryQueue.DeliveryIdOf(commandId, DeliveryChannel.Email);
        var now = DateTimeOffset.UtcNow;

        // What a sender killed after claiming its attempt leaves behind: Sending, lease still running.
        await using (var session = store.LightweightSession())
        {
            session.Queue(commandId, new QueuedMessage(
                new DeliveryTarget(practice, "P-crash", Guid.NewGuid(), MessageKind.Invitation, DeliveryChannel.Email),
                email, AddressMask.Email(email), "Riverside Family Practice invites you", "https://portal.example/register?token=crash", null), now);
            session.Events.Append(id, new DeliveryAttemptStarted(1, now, now + TimeSpan.FromSeconds(3)));
            await session.SaveChangesAsync();
        }

        await using (var query = store.QuerySession())
        {
            Assert.Equal(DeliveryState.Sending, (await query.LoadAsync<Delivery>(id))!.State);
        }

        Assert.Empty(mail.ReadAll());
        var received = await Eventually.GetAsync(() => Task.FromResult(mail.ReadAll().SingleOrDefault(m => m.To.Contains(email))), TimeSpan.FromSeconds(60), "the email after the lease ran out");
        Assert.Contains("token=crash", received.Text);
        Assert.True(received.ReceivedAt >= now + TimeSpan.FromSeconds(3) - TimeSpan.FromMilliseconds(50), "taken over only after the lease");
        using var staff = service.StaffClient(practice);
        var row = await Eventually.GetAsync(async () => (await staff.DeliveriesAsync("P-crash")).SingleOrDefault(r => r.State == "Sent"), TimeSpan.FromSeconds(30), "recorded as sent");
        Assert.Equal(2, row.Attempts);
        Assert.Single(mail.ReadAll());
    }
}
