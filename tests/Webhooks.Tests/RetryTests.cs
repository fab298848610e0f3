using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PortalPlatform.Testing;

namespace PortalPlatform.Webhooks.Tests;

/// <summary>At-least-once with the event id as webhook-id: failures, outages, and an admin's retry and replay.</summary>
public sealed class RetryTests(WebhookServers servers) : IClassFixture<WebhookServers>
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task A_receiver_answering_500_three_times_then_200_gets_each_event_exactly_once_more_with_the_same_webhook_id()
    {
        var practice = Guid.NewGuid();
        var path = WebhookServers.NewPath();
        var answered = 0;
        servers.Receiver.Answer(path, () => Interlocked.Increment(ref answered) <= 3 ? 500 : 200);
        var admin = servers.Admin(practice);
        var subscription = await admin.SubscribeAsync(servers.Receiver.UrlOf(path));
        var events = new[]
        {
            WebhookServers.Invited(practice, WebhookServers.NewPatient(), DateTimeOffset.UtcNow),
            WebhookServers.Invited(practice, WebhookServers.NewPatient(), DateTimeOffset.UtcNow),
        };

        foreach (var integrationEvent in events)
        {
            await servers.PublishAsync(integrationEvent);
        }

        await Eventually.TrueAsync(async () => (await admin.DeliveriesAsync(subscription.Id)).Count(d => d.State == "Delivered") == 2, Patience, "both deliveries delivered");
        var requests = servers.Receiver.At(path);
        Assert.Equal(3, requests.Count(r => r.Answered == 500));
        Assert.All(requests.Where(r => r.Answered == 500), failed => Assert.Contains(events, e => e.EventId.ToString() == failed.WebhookId));
        foreach (var integrationEvent in events)
        {
            Assert.Single(requests, r => r.Answered == 200 && r.WebhookId == integrationEvent.EventId.ToString());
        }

        var history = await admin.DeliveriesAsync(subscription.Id);
        Assert.Equal(5, history.Sum(d => d.AttemptCount));
        Assert.All(history.SelectMany(d => d.Attempts).Where(a => !a.Succeeded), a =>
        {
            Assert.Equal(500, a.StatusCode);
            Assert.Equal("receiver says no", a.ResponseExcerpt);
        });
    }

    [Fact]
    public async Task A_receiver_that_is_down_for_a_while_gets_everything_in_per_patient_order_once_back()
    {
        await using var receiver = new Receiver(); // not started: connections are refused
        var practice = Guid.NewGuid();
        var path = WebhookServers.NewPath();
        var admin = servers.Admin(practice);
        var subscription = await admin.SubscribeAsync(receiver.UrlOf(path));
        var (ana, ben) = (WebhookServers.NewPatient(), WebhookServers.NewPatient());
        var start = DateTimeOffset.UtcNow;
        var published = new List<Contracts.IIntegrationEvent>();
        for (var i = 0; i < 4; i++)
        {
            published.Add(WebhookServers.Invited(practice, ana, start.AddSeconds(i * 3)));
            published.Add(WebhookServers.Revoked(practice, ana, start.AddSeconds(i * 3 + 1)));
            published.Add(WebhookServers.Invited(practice, ben, start.AddSeconds(i * 3 + 2)));
        }

        foreach (var integrationEvent in published)
        {
            await servers.PublishAsync(integrationEvent);
        }

        await Eventually.TrueAsync(async () =>
        {
            var deliveries = await admin.DeliveriesAsync(subscription.Id);
            return deliveries.Count == published.Count && deliveries.Any(d => d.AttemptCount >= 3);
        }, Patience, "every event consumed and failed attempts while the receiver is down");
        var whileDown = await admin.DeliveriesAsync(subscription.Id);
        Assert.All(whileDown.Where(d => d.AttemptCount > 0).SelectMany(d => d.Attempts), a => Assert.StartsWith("unreachable", a.Outcome));

        await receiver.StartAsync();

        await Eventually.TrueAsync(() => published.All(e => receiver.AcceptedAt(path).Any(r => r.WebhookId == e.EventId.ToString())), Patience, "every event once the receiver is back");
        foreach (var patient in new[] { ana, ben })
        {
            var expected = published.Where(e => e.PatientId == patient).OrderBy(e => e.OccurredAt).Select(e => e.EventId.ToString());
            var arrived = receiver.AcceptedAt(path).Where(r => r.CloudEvent.GetProperty("subject").GetString() == patient).Select(r => r.WebhookId).Distinct();
            Assert.Equal(expected, arrived);
        }
    }

    [Fact]
    public async Task Replay_of_a_time_range_and_retry_of_one_delivery_resend_with_the_same_webhook_id()
    {
        var practice = Guid.NewGuid();
        var path = WebhookServers.NewPath();
        var admin = servers.Admin(practice);
        var subscription = await admin.SubscribeAsync(servers.Receiver.UrlOf(path));
        var patient = WebhookServers.NewPatient();
        var start = DateTimeOffset.UtcNow;
        var early = WebhookServers.Invited(practice, patient, start);
        var inRange = WebhookServers.Revoked(practice, patient, start.AddMinutes(1));
        var late = WebhookServers.Invited(practice, patient, start.AddMinutes(2));
        foreach (var integrationEvent in new Contracts.IIntegrationEvent[] { early, inRange, late })
        {
            await servers.PublishAsync(integrationEvent);
        }

        await Eventually.TrueAsync(() => servers.Receiver.AcceptedAt(path).Count == 3, Patience, "the three events");

        var replay = await admin.PostAsJsonAsync($"/api/practice/webhooks/{subscription.Id}/replay", new { from = start.AddSeconds(30), to = start.AddSeconds(90) });
        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        Assert.Equal(1, (await replay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("requeued").GetInt32());
        await Eventually.TrueAsync(() => servers.Receiver.AcceptedAt(path).Count == 4, Patience, "the replayed event");
        var replayed = servers.Receiver.AcceptedAt(path)[^1];
        Assert.Equal(inRange.EventId.ToString(), replayed.WebhookId);
        Assert.Equal(servers.Receiver.AcceptedAt(path).First(r => r.WebhookId == replayed.WebhookId).Body, replayed.Body);

        var delivery = (await admin.DeliveriesAsync(subscription.Id)).Single(d => d.EventId == early.EventId);
        var retry = await admin.PostAsync($"/api/practice/webhooks/{subscription.Id}/deliveries/{delivery.Id}/retry", null);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        await Eventually.TrueAsync(() => servers.Receiver.AcceptedAt(path).Count == 5, Patience, "the retried delivery");
        Assert.Equal(early.EventId.ToString(), servers.Receiver.AcceptedAt(path)[^1].WebhookId);
        Assert.Equal(2, (await admin.DeliveriesAsync(subscription.Id)).Single(d => d.EventId == early.EventId).AttemptCount);
    }

    [Fact]
    public async Task Replay_with_a_backwards_range_gets_a_problem_and_sends_nothing()
    {
        var admin = servers.Admin(Guid.NewGuid());
        var subscription = await admin.SubscribeAsync(servers.Receiver.UrlOf(WebhookServers.NewPath()));

        var response = await admin.PostAsJsonAsync($"/api/practice/webhooks/{subscription.Id}/replay", new { from = DateTimeOffset.UtcNow, to = DateTimeOffset.UtcNow.AddHours(-1) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("to", out _));
    }
}
