using System.Net;
using PortalPlatform.Testing;

namespace PortalPlatform.Webhooks.Tests;

/// <summary>A service that gives up on an endpoint after a second of failures, so a test sees it happen.</summary>
public sealed class QuickToDisableServers : WebhookServers
{
    protected override Dictionary<string, string?> WebhookSettings => new(base.WebhookSettings) { ["Webhooks:DisableAfter"] = "00:00:01" };
}

/// <summary>A subscriber that keeps failing is disabled with a notice, not retried forever; an admin brings it back.</summary>
public sealed class DisablingTests(QuickToDisableServers servers) : IClassFixture<QuickToDisableServers>
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task An_endpoint_that_keeps_failing_is_disabled_with_a_notice_and_resumes_when_enabled()
    {
        var practice = Guid.NewGuid();
        var path = WebhookServers.NewPath();
        var failing = true;
        servers.Receiver.Answer(path, () => Volatile.Read(ref failing) ? 503 : 200);
        var admin = servers.Admin(practice);
        var subscription = await admin.SubscribeAsync(servers.Receiver.UrlOf(path));
        var first = WebhookServers.Invited(practice, WebhookServers.NewPatient(), DateTimeOffset.UtcNow);
        await servers.PublishAsync(first);

        var disabled = await Eventually.GetAsync(async () => await admin.SubscriptionAsync(subscription.Id) is { Enabled: false } s ? s : null, Patience, "the subscription disabled");
        Assert.Contains("Disabled automatically", disabled.DisabledReason);
        var attemptsWhenDisabled = servers.Receiver.At(path).Count;
        Assert.True(attemptsWhenDisabled >= 2, $"it was retried before giving up ({attemptsWhenDisabled} attempts)");

        // While disabled, new events are not queued for it and the pending one is not retried.
        var second = WebhookServers.Invited(practice, WebhookServers.NewPatient(), DateTimeOffset.UtcNow);
        await servers.PublishAsync(second);
        var (probe, probePath) = (servers.Admin(practice), WebhookServers.NewPath());
        var witness = WebhookServers.Invited(practice, WebhookServers.NewPatient(), DateTimeOffset.UtcNow);
        await probe.SubscribeAsync(servers.Receiver.UrlOf(probePath));
        await servers.PublishAsync(witness);
        await Eventually.TrueAsync(() => servers.Receiver.AcceptedAt(probePath).Any(r => r.WebhookId == witness.EventId.ToString()), Patience, "a later event at another endpoint");
        Assert.DoesNotContain(await admin.DeliveriesAsync(subscription.Id), d => d.EventId == second.EventId);
        Assert.Equal(attemptsWhenDisabled, servers.Receiver.At(path).Count);

        Volatile.Write(ref failing, false);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/practice/webhooks/{subscription.Id}/enable", null)).StatusCode);

        await Eventually.TrueAsync(() => servers.Receiver.AcceptedAt(path).Any(r => r.WebhookId == first.EventId.ToString()), Patience, "the pending delivery after enabling");
        var enabled = await admin.SubscriptionAsync(subscription.Id);
        Assert.True(enabled.Enabled);
        Assert.Null(enabled.DisabledReason);
    }
}
