using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using PortalPlatform.Testing;

namespace PortalPlatform.Webhooks.Tests;

/// <summary>PUT /api/practice/webhooks/{id}: an admin moves an endpoint or narrows its filter without losing its secret or history.</summary>
public sealed class SubscriptionUpdateTests(WebhookServers servers) : IClassFixture<WebhookServers>
{
    private const string InviteIssued = "com.portalplatform.enrollment.invite-issued.v1";
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task A_changed_url_and_filter_apply_to_the_next_events_and_the_secret_stays()
    {
        var practice = Guid.NewGuid();
        var (before, after) = (WebhookServers.NewPath(), WebhookServers.NewPath());
        var admin = servers.Admin(practice);
        var subscription = await admin.SubscribeAsync(servers.Receiver.UrlOf(before));

        var response = await admin.PutAsJsonAsync($"/api/practice/webhooks/{subscription.Id}", new { url = servers.Receiver.UrlOf(after), events = new[] { InviteIssued } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var changed = await admin.SubscriptionAsync(subscription.Id);
        Assert.Equal(servers.Receiver.UrlOf(after), changed.Url);
        Assert.Equal([InviteIssued], changed.Events);
        Assert.True(changed.Enabled);

        // A revocation (filtered out now), then an invitation: the queue is consumed in order, so once the invitation
        // has arrived the revocation was consumed too.
        var patient = WebhookServers.NewPatient();
        var revoked = WebhookServers.Revoked(practice, patient, DateTimeOffset.UtcNow);
        var invited = WebhookServers.Invited(practice, patient, DateTimeOffset.UtcNow);
        await servers.PublishAsync(revoked);
        await servers.PublishAsync(invited);

        var received = await Eventually.GetAsync(() => Task.FromResult(servers.Receiver.AcceptedAt(after).FirstOrDefault(r => r.WebhookId == invited.EventId.ToString())), Patience, "the invitation at the new url");
        Assert.True(received.VerifiesWith(subscription.Secret), "the secret shown at creation still signs");
        Assert.Empty(servers.Receiver.At(before));
        Assert.DoesNotContain(servers.Receiver.At(after), r => r.WebhookId == revoked.EventId.ToString());
        Assert.DoesNotContain(await admin.DeliveriesAsync(subscription.Id), d => d.EventId == revoked.EventId);
    }

    [Fact]
    public async Task Enabled_false_disables_and_true_enables_again()
    {
        var admin = servers.Admin(Guid.NewGuid());
        var url = servers.Receiver.UrlOf(WebhookServers.NewPath());
        var subscription = await admin.SubscribeAsync(url);

        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/practice/webhooks/{subscription.Id}", new { url, enabled = false })).StatusCode);
        var disabled = await admin.SubscriptionAsync(subscription.Id);
        Assert.False(disabled.Enabled);
        Assert.Contains("Disabled by admin-1", disabled.DisabledReason);

        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/practice/webhooks/{subscription.Id}", new { url, enabled = true })).StatusCode);
        var enabled = await admin.SubscriptionAsync(subscription.Id);
        Assert.True(enabled.Enabled);
        Assert.Null(enabled.DisabledReason);
    }

    [Fact]
    public async Task With_If_Match_a_change_made_meanwhile_is_refused_with_412_and_the_current_ETag_works()
    {
        var admin = servers.Admin(Guid.NewGuid());
        var subscription = await admin.SubscribeAsync(servers.Receiver.UrlOf(WebhookServers.NewPath()));
        var read = (await admin.GetAsync($"/api/practice/webhooks/{subscription.Id}")).Headers.ETag;
        Assert.NotNull(read);
        var otherAdminsUrl = servers.Receiver.UrlOf(WebhookServers.NewPath());
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/practice/webhooks/{subscription.Id}", new { url = otherAdminsUrl })).StatusCode);

        var stale = await PutAsync(admin, subscription.Id, new { url = servers.Receiver.UrlOf(WebhookServers.NewPath()) }, read.Tag);

        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("application/problem+json", stale.Content.Headers.ContentType?.MediaType);
        Assert.Equal(otherAdminsUrl, (await admin.SubscriptionAsync(subscription.Id)).Url);

        var current = (await admin.GetAsync($"/api/practice/webhooks/{subscription.Id}")).Headers.ETag!;
        var mine = servers.Receiver.UrlOf(WebhookServers.NewPath());
        var fresh = await PutAsync(admin, subscription.Id, new { url = mine }, current.Tag);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.NotEqual(current, fresh.Headers.ETag);
        Assert.Equal(mine, (await admin.SubscriptionAsync(subscription.Id)).Url);
    }

    [Theory]
    [InlineData("""{"url":"ftp://example.com/hook"}""", null, "url")]
    [InlineData("""{"events":["com.portalplatform.enrollment.invite-issued.v1"]}""", null, "url")]
    [InlineData("""{"url":"http://127.0.0.1/hook","events":["invite-issued"]}""", null, "events")]
    [InlineData("""{"url":"http://127.0.0.1/hook"}""", "W/\"7\"", "If-Match")]
    public async Task A_bad_change_gets_a_problem_naming_the_field_and_changes_nothing(string body, string? ifMatch, string field)
    {
        var admin = servers.Admin(Guid.NewGuid());
        var url = servers.Receiver.UrlOf(WebhookServers.NewPath());
        var subscription = await admin.SubscribeAsync(url, InviteIssued);

        var response = await PutAsync(admin, subscription.Id, body, ifMatch);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"the problem names '{field}': {problem}");
        var unchanged = await admin.SubscriptionAsync(subscription.Id);
        Assert.Equal(url, unchanged.Url);
        Assert.Equal([InviteIssued], unchanged.Events);
    }

    [Theory]
    [InlineData("""{"url":"http://127.0.0.1/hook","secret":"mine"}""")]
    [InlineData("""{"url":"http://127.0.0.1/hook","enabled":"yes"}""")]
    public async Task Unknown_or_mistyped_fields_get_400_problem_details(string body)
    {
        var admin = servers.Admin(Guid.NewGuid());
        var subscription = await admin.SubscribeAsync(servers.Receiver.UrlOf(WebhookServers.NewPath()));

        var response = await PutAsync(admin, subscription.Id, body, null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Another_practices_subscription_cannot_be_changed()
    {
        var practice = Guid.NewGuid();
        var url = servers.Receiver.UrlOf(WebhookServers.NewPath());
        var subscription = await servers.Admin(practice).SubscribeAsync(url);

        var response = await servers.Admin(Guid.NewGuid()).PutAsJsonAsync($"/api/practice/webhooks/{subscription.Id}", new { url = "http://127.0.0.1/stolen", enabled = false });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var own = await servers.Admin(practice).SubscriptionAsync(subscription.Id);
        Assert.Equal(url, own.Url);
        Assert.True(own.Enabled);
    }

    private static Task<HttpResponseMessage> PutAsync(HttpClient admin, Guid id, object body, string? ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/practice/webhooks/{id}")
        {
            Content = body is string json ? new StringContent(json, Encoding.UTF8, "application/json") : JsonContent.Create(body),
        };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return admin.SendAsync(request);
    }
}
