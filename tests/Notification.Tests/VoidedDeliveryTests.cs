using Marten;
using Microsoft.Extensions.DependencyInjection;
using PortalPlatform.Contracts;
using PortalPlatform.Hosting.Local;
using PortalPlatform.Notification.Voiding;
using PortalPlatform.Testing;

namespace PortalPlatform.Notification.Tests;

/// <summary>
/// Nothing void goes out: an invitation cancelled, expired, replaced, ended by a revocation or a caregiver's withdrawn
/// one is not emailed or texted,
/// whichever comes first (the void or the command), however often either is delivered; a code is not texted after its
/// lifetime; and no link or code stays in the store once its delivery is over. Each test sends a control message
/// through the same service and sinks, so it would see a send if one happened.
/// </summary>
public sealed class VoidedDeliveryTests(NotificationServers servers) : NotificationServiceTests(servers)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly Guid _practice = Guid.NewGuid();

    [Fact]
    public async Task A_text_retrying_when_its_invitation_is_cancelled_is_dropped_unsent_and_its_link_leaves_the_store()
    {
        SmsSink.FailNext(int.MaxValue); // the provider is down: the text waits for its next attempt
        var voided = NotificationServers.Invitation(_practice, email: null, NotificationServers.UniquePhone());
        await Servers.SendAsync(voided);
        using var staff = Service.StaffClient(_practice);
        await Eventually.TrueAsync(async () => (await staff.DeliveriesAsync(voided.PatientId)).SingleOrDefault() is { Attempts: >= 2 }, Patience, "the text being retried");
        Assert.Contains(TokenOf(voided), await Servers.StoreTextAsync()); // the scan sees the link while it may still be sent

        var cancelled = new InviteCancelled(Guid.NewGuid(), _practice, voided.PatientId, DateTimeOffset.UtcNow, voided.InvitationId, "u-1");
        await Servers.PublishAsync(cancelled);
        await Servers.PublishAsync(cancelled); // redelivered

        var row = await Eventually.GetAsync(async () => (await staff.DeliveriesAsync(voided.PatientId)).SingleOrDefault(r => r.State == "Cancelled"), Patience, "the text cancelled");
        Assert.Equal("the invitation was cancelled", row.LastError);
        SmsSink.FailNext(0); // the provider is back: a control invitation goes out, the cancelled one never does
        var control = NotificationServers.Invitation(_practice, email: null, NotificationServers.UniquePhone());
        await Servers.SendAsync(control);
        await Eventually.TrueAsync(() => SmsSink.ReadAll().Any(s => s.To == control.Phone), Patience, "the control text");
        await Eventually.TrueAsync(async () => (await staff.DeliveriesAsync(control.PatientId)).Single().State == "Sent", Patience, "the control recorded as sent");

        Assert.DoesNotContain(SmsSink.ReadAll(), s => s.To == voided.Phone);
        Assert.Equal(row.Attempts, (await staff.DeliveriesAsync(voided.PatientId)).Single(r => r.State == "Cancelled").Attempts);
        var store = await Servers.StoreTextAsync();
        Assert.DoesNotContain(TokenOf(voided), store);
        Assert.DoesNotContain(TokenOf(control), store);
        Assert.DoesNotContain(voided.Phone!, store);
    }

    [Fact]
    public async Task Voids_that_overtake_the_deliver_command_cancel_its_email_and_text_even_when_both_are_redelivered()
    {
        var expired = NotificationServers.Invitation(_practice, NotificationServers.UniqueEmail(), NotificationServers.UniquePhone());
        var revoked = NotificationServers.Invitation(_practice, NotificationServers.UniqueEmail(), NotificationServers.UniquePhone());
        var replaced = NotificationServers.Invitation(_practice, NotificationServers.UniqueEmail(), NotificationServers.UniquePhone());
        var withdrawn = NotificationServers.Invitation(_practice, NotificationServers.UniqueEmail(), NotificationServers.UniquePhone());
        var control = NotificationServers.Invitation(_practice, NotificationServers.UniqueEmail(), NotificationServers.UniquePhone());
        var now = DateTimeOffset.UtcNow;
        var expiredEvent = new InviteExpired(Guid.NewGuid(), _practice, expired.PatientId, now, expired.InvitationId);
        var revokedEvent = new AccessRevoked(Guid.NewGuid(), _practice, revoked.PatientId, now, RevocationReason.Security, "u-1", VoidedInvitationId: revoked.InvitationId);
        var replacedEvent = new InviteIssued(Guid.NewGuid(), _practice, replaced.PatientId, now, Guid.NewGuid(), now.AddDays(14), IsReinvite: false, replaced.InvitationId, "u-1");
        var withdrawnEvent = new ProxyAccessRevoked(Guid.NewGuid(), _practice, withdrawn.PatientId, now, Guid.NewGuid(), "u-1", VoidedInvitationId: withdrawn.InvitationId);
        for (var delivery = 0; delivery < 2; delivery++) // each void is redelivered once
        {
            await Servers.PublishAsync(expiredEvent);
            await Servers.PublishAsync(revokedEvent);
            await Servers.PublishAsync(replacedEvent);
            await Servers.PublishAsync(withdrawnEvent);
        }

        var store = Service.Services.GetRequiredService<IDocumentStore>();
        await Eventually.TrueAsync(async () =>
        {
            await using var query = store.QuerySession();
            return await query.Query<VoidedInvitation>().CountAsync(
                v => v.Id == expired.InvitationId || v.Id == revoked.InvitationId || v.Id == replaced.InvitationId || v.Id == withdrawn.InvitationId) == 4;
        }, Patience, "the four voids recorded");

        foreach (var command in new[] { expired, revoked, replaced, withdrawn, control, expired, revoked, replaced, withdrawn })
        {
            await Servers.SendAsync(command);
        }

        await Eventually.TrueAsync(() => MailSink.ReadAll().Any(m => m.To.Contains(control.Email!)) && SmsSink.ReadAll().Any(s => s.To == control.Phone), Patience, "the control email and text");
        using var staff = Service.StaffClient(_practice);
        await Eventually.TrueAsync(async () => (await staff.DeliveriesAsync(control.PatientId)).All(r => r.State == "Sent"), Patience, "the control recorded as sent");
        foreach (var (command, how) in new[] { (expired, "expired"), (revoked, "voided by the revocation of access"), (replaced, "replaced by a newer invitation"),
                     (withdrawn, "voided by the withdrawal of proxy access") })
        {
            var rows = await Eventually.GetAsync(async () =>
            {
                var found = await staff.DeliveriesAsync(command.PatientId);
                return found.Count == 2 && found.All(r => r.State == "Cancelled") ? found : null;
            }, Patience, $"the {how} invitation's email and text recorded as cancelled");
            Assert.All(rows, r => Assert.Equal(0, r.Attempts));
            Assert.All(rows, r => Assert.Equal($"the invitation was {how}", r.LastError));
            Assert.DoesNotContain(MailSink.ReadAll(), m => m.To.Contains(command.Email!));
            Assert.DoesNotContain(SmsSink.ReadAll(), s => s.To == command.Phone);
        }

        var text = await Servers.StoreTextAsync();
        Assert.All(new[] { expired, revoked, replaced, withdrawn, control }, command => Assert.DoesNotContain(TokenOf(command), text));
        Assert.DoesNotContain(Servers.Delivered, d => d.InvitationId == expired.InvitationId || d.InvitationId == revoked.InvitationId
            || d.InvitationId == replaced.InvitationId || d.InvitationId == withdrawn.InvitationId);
    }

    [Fact]
    public async Task A_code_not_sent_within_its_lifetime_is_dropped_not_texted_late_and_leaves_the_store()
    {
        SmsSink.FailNext(int.MaxValue);
        var late = NotificationServers.OneTimeCode(_practice, "P-late", NotificationServers.UniquePhone(), "731905", DateTimeOffset.UtcNow.AddSeconds(4));
        var alreadyExpired = NotificationServers.OneTimeCode(_practice, "P-stale", NotificationServers.UniquePhone(), "208461", DateTimeOffset.UtcNow.AddSeconds(-1));
        await Servers.SendAsync(late);
        await Servers.SendAsync(alreadyExpired);
        using var staff = Service.StaffClient(_practice);
        await Eventually.TrueAsync(async () => (await staff.DeliveriesAsync("P-late")).SingleOrDefault() is { Attempts: >= 1, State: not "Cancelled" }, Patience, "the code being retried");
        Assert.Contains("verification code is 731905", await Servers.StoreTextAsync());

        var dropped = await Eventually.GetAsync(async () => (await staff.DeliveriesAsync("P-late")).SingleOrDefault(r => r.State == "Cancelled"), Patience, "the code dropped at its expiry");
        Assert.Equal("expired before it could be sent", dropped.LastError);
        Assert.True(dropped.UpdatedAt >= late.ExpiresAt, "dropped only once it expired");
        var stale = await Eventually.GetAsync(async () => (await staff.DeliveriesAsync("P-stale")).SingleOrDefault(), Patience, "the stale code recorded");
        Assert.Equal(("Cancelled", 0), (stale.State, stale.Attempts));

        SmsSink.FailNext(0);
        var control = NotificationServers.OneTimeCode(_practice, "P-fresh", NotificationServers.UniquePhone(), "594027", DateTimeOffset.UtcNow.AddMinutes(10));
        await Servers.SendAsync(control);
        await Eventually.TrueAsync(() => SmsSink.ReadAll().Any(s => s.To == control.Phone), Patience, "the control code");
        await Eventually.TrueAsync(async () => (await staff.DeliveriesAsync("P-fresh")).Single().State == "Sent", Patience, "the control recorded as sent");

        Assert.DoesNotContain(SmsSink.ReadAll(), s => s.To == late.Phone || s.To == alreadyExpired.Phone);
        var store = await Servers.StoreTextAsync();
        Assert.DoesNotContain("verification code is 731905", store);
        Assert.DoesNotContain("verification code is 208461", store);
        Assert.DoesNotContain("verification code is 594027", store);
    }

    private static string TokenOf(DeliverInvitation command)
    {
        var link = NotificationServers.LinkOf(command);
        return link[(link.IndexOf("token=", StringComparison.Ordinal) + 6)..];
    }
}
