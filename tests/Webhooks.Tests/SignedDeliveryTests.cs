using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PortalPlatform.ServiceDefaults.Security;
using PortalPlatform.Testing;

namespace PortalPlatform.Webhooks.Tests;

/// <summary>What an integrator receives: its own practice's events, as signed CloudEvents, and nobody else's.</summary>
public sealed class SignedDeliveryTests(WebhookServers servers) : IClassFixture<WebhookServers>
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task A_practices_invitation_revocation_and_registration_arrive_signed_and_another_practices_never_do()
    {
        var (practice, other) = (Guid.NewGuid(), Guid.NewGuid());
        var (ours, theirs) = (WebhookServers.NewPath(), WebhookServers.NewPath());
        var subscription = await servers.Admin(practice).SubscribeAsync(servers.Receiver.UrlOf(ours));
        var otherSubscription = await servers.Admin(other).SubscribeAsync(servers.Receiver.UrlOf(theirs));
        var patient = WebhookServers.NewPatient();
        var at = DateTimeOffset.UtcNow;
        var invited = WebhookServers.Invited(practice, patient, at);
        var revoked = WebhookServers.Revoked(practice, patient, at.AddSeconds(1));
        var registered = WebhookServers.Registered(practice, patient, at.AddSeconds(2));
        var foreign = WebhookServers.Invited(other, WebhookServers.NewPatient(), at);

        await servers.PublishAsync(foreign);
        await servers.PublishAsync(invited);
        await servers.PublishAsync(revoked);
        await servers.PublishAsync(registered);

        await Eventually.TrueAsync(() => servers.Receiver.AcceptedAt(ours).Count >= 3, Patience, "our three events");
        // The other practice's event was consumed and delivered (to its own subscriber): we would have seen it.
        var foreignArrival = await Eventually.GetAsync(() => Task.FromResult(servers.Receiver.AcceptedAt(theirs).FirstOrDefault()), Patience, "the other practice's event at its own endpoint");
        Assert.Equal(foreign.EventId.ToString(), foreignArrival.WebhookId);
        Assert.True(foreignArrival.VerifiesWith(otherSubscription.Secret));
        Assert.False(foreignArrival.VerifiesWith(subscription.Secret));

        var received = servers.Receiver.At(ours);
        Assert.DoesNotContain(received, r => r.WebhookId == foreign.EventId.ToString());
        // Order is only promised among events already consumed (see the outage test); here they may race on the queue.
        Assert.Equal(
            new[] { invited.EventId, revoked.EventId, registered.EventId }.Select(id => id.ToString()).Order(),
            received.Select(r => r.WebhookId).Order());
        Assert.All(received, r =>
        {
            Assert.True(r.VerifiesWith(subscription.Secret), "the signature verifies with the secret from the 201");
            Assert.True(r.VerifiesWithPackage(subscription.Secret), "and with the StandardWebhooks package");
            Assert.Equal("application/cloudevents+json", r.ContentType.Split(';')[0]);
            Assert.Equal(r.WebhookId, r.CloudEvent.GetProperty("id").GetString());
            Assert.Equal("1.0", r.CloudEvent.GetProperty("specversion").GetString());
            Assert.Equal(patient, r.CloudEvent.GetProperty("subject").GetString());
            Assert.Equal($"/practices/{practice}/{(r.WebhookId == registered.EventId.ToString() ? "identity-verification" : "enrollment")}", r.CloudEvent.GetProperty("source").GetString());
            Assert.False(r.CloudEvent.GetProperty("data").TryGetProperty("practiceId", out _));
        });
        var invitation = received.Single(r => r.WebhookId == invited.EventId.ToString()).CloudEvent;
        Assert.Equal("com.portalplatform.enrollment.invite-issued.v1", invitation.GetProperty("type").GetString());
        Assert.Equal(invited.InvitationId, invitation.GetProperty("data").GetProperty("invitationId").GetGuid());
        Assert.False(invitation.GetProperty("data").TryGetProperty("issuedBy", out _), "staff user ids stay inside the platform");
        var revocation = received.Single(r => r.WebhookId == revoked.EventId.ToString()).CloudEvent;
        Assert.Equal("com.portalplatform.enrollment.access-revoked.v1", revocation.GetProperty("type").GetString());
        Assert.Equal("PatientRequest", revocation.GetProperty("data").GetProperty("reason").GetString());
        Assert.Equal("com.portalplatform.identity-verification.registration-completed.v1",
            received.Single(r => r.WebhookId == registered.EventId.ToString()).CloudEvent.GetProperty("type").GetString());
    }

    [Fact]
    public async Task An_event_filter_delivers_only_the_chosen_types()
    {
        var practice = Guid.NewGuid();
        var (filtered, everything) = (WebhookServers.NewPath(), WebhookServers.NewPath());
        var admin = servers.Admin(practice);
        await admin.SubscribeAsync(servers.Receiver.UrlOf(filtered), "com.portalplatform.enrollment.access-revoked.v1");
        await admin.SubscribeAsync(servers.Receiver.UrlOf(everything));
        var patient = WebhookServers.NewPatient();
        var invited = WebhookServers.Invited(practice, patient, DateTimeOffset.UtcNow);
        var revoked = WebhookServers.Revoked(practice, patient, DateTimeOffset.UtcNow.AddSeconds(1));

        await servers.PublishAsync(invited);
        await servers.PublishAsync(revoked);

        await Eventually.TrueAsync(() => servers.Receiver.AcceptedAt(everything).Count == 2, Patience, "both events at the unfiltered endpoint");
        await Eventually.TrueAsync(() => servers.Receiver.AcceptedAt(filtered).Count == 1, Patience, "the revocation at the filtered endpoint");
        Assert.Equal(revoked.EventId.ToString(), Assert.Single(servers.Receiver.At(filtered)).WebhookId);
    }

    [Fact]
    public async Task Another_practices_subscription_is_not_found_and_staff_who_are_not_admins_are_refused()
    {
        var (practice, other) = (Guid.NewGuid(), Guid.NewGuid());
        var subscription = await servers.Admin(practice).SubscribeAsync(servers.Receiver.UrlOf(WebhookServers.NewPath()));
        var intruder = servers.Admin(other);

        foreach (var response in new[]
                 {
                     await intruder.GetAsync($"/api/practice/webhooks/{subscription.Id}"),
                     await intruder.GetAsync($"/api/practice/webhooks/{subscription.Id}/deliveries"),
                     await intruder.PostAsync($"/api/practice/webhooks/{subscription.Id}/rotate-secret", null),
                     await intruder.PostAsync($"/api/practice/webhooks/{subscription.Id}/disable", null),
                     await intruder.DeleteAsync($"/api/practice/webhooks/{subscription.Id}"),
                 })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Empty((await intruder.GetFromJsonAsync<List<JsonElement>>("/api/practice/webhooks"))!);
        Assert.Equal(HttpStatusCode.Forbidden, (await servers.Admin(practice, StaffRoles.Staff).GetAsync("/api/practice/webhooks")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await servers.Admin(practice, StaffRoles.Provider).PostAsJsonAsync("/api/practice/webhooks", new { url = "http://127.0.0.1/x" })).StatusCode);
        var own = await servers.Admin(practice).SubscriptionAsync(subscription.Id);
        Assert.True(own.Enabled, "nothing the other practice did changed it");
    }

    [Theory]
    [InlineData("""{"url":"not a url"}""", "url")]
    [InlineData("""{"url":"ftp://example.com/hook"}""", "url")]
    [InlineData("""{"events":["com.portalplatform.enrollment.invite-issued.v1"]}""", "url")]
    [InlineData("""{"url":"http://127.0.0.1/hook","events":["invite-issued"]}""", "events")]
    public async Task Bad_subscriptions_get_a_problem_naming_the_field_and_create_nothing(string body, string field)
    {
        var practice = Guid.NewGuid();
        var admin = servers.Admin(practice);

        var response = await admin.PostAsync("/api/practice/webhooks", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"the problem names '{field}': {problem}");
        Assert.Empty((await admin.GetFromJsonAsync<List<JsonElement>>("/api/practice/webhooks"))!);
    }

    [Theory]
    [InlineData("""{"url":"http://127.0.0.1/hook","secret":"mine"}""")]
    [InlineData("""{"url":""")]
    [InlineData("""{"url":42}""")]
    public async Task Malformed_or_unknown_json_gets_400_problem_details(string body)
    {
        var admin = servers.Admin(Guid.NewGuid());

        var response = await admin.PostAsync("/api/practice/webhooks", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty((await admin.GetFromJsonAsync<List<JsonElement>>("/api/practice/webhooks"))!);
    }

    [Fact]
    public async Task An_odd_subscription_id_gets_a_problem_naming_it()
    {
        var response = await servers.Admin(Guid.NewGuid()).GetAsync("/api/practice/webhooks/not-a-guid");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("id", out _));
    }

    [Fact]
    public async Task After_a_rotation_both_secrets_sign_during_the_grace_period()
    {
        var practice = Guid.NewGuid();
        var path = WebhookServers.NewPath();
        var admin = servers.Admin(practice);
        var subscription = await admin.SubscribeAsync(servers.Receiver.UrlOf(path));

        var rotation = await admin.PostAsync($"/api/practice/webhooks/{subscription.Id}/rotate-secret", null);
        Assert.Equal(HttpStatusCode.OK, rotation.StatusCode);
        var rotated = (await rotation.Content.ReadFromJsonAsync<WebhookApi.Created>(WebhookServers.Json))!;
        Assert.NotEqual(subscription.Secret, rotated.Secret);
        Assert.True(rotated.PreviousSecretExpiresAt > DateTimeOffset.UtcNow);
        await servers.PublishAsync(WebhookServers.Invited(practice, WebhookServers.NewPatient(), DateTimeOffset.UtcNow));

        var received = await Eventually.GetAsync(() => Task.FromResult(servers.Receiver.At(path).FirstOrDefault()), Patience, "the event after the rotation");
        Assert.True(received.VerifiesWith(rotated.Secret));
        Assert.True(received.VerifiesWith(subscription.Secret));
        Assert.True(received.VerifiesWithPackage(rotated.Secret), "the new secret signs first: the package only checks the first signature");
        Assert.Equal(2, received.Signature.Split(' ').Length);
    }

    [Fact]
    public async Task A_deleted_subscription_gets_nothing_more()
    {
        var practice = Guid.NewGuid();
        var (deleted, kept) = (WebhookServers.NewPath(), WebhookServers.NewPath());
        var admin = servers.Admin(practice);
        var subscription = await admin.SubscribeAsync(servers.Receiver.UrlOf(deleted));
        await admin.SubscribeAsync(servers.Receiver.UrlOf(kept));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/practice/webhooks/{subscription.Id}")).StatusCode);
        var invited = WebhookServers.Invited(practice, WebhookServers.NewPatient(), DateTimeOffset.UtcNow);
        await servers.PublishAsync(invited);

        await Eventually.TrueAsync(() => servers.Receiver.At(kept).Any(r => r.WebhookId == invited.EventId.ToString()), Patience, "the event at the kept endpoint");
        Assert.Empty(servers.Receiver.At(deleted));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/practice/webhooks/{subscription.Id}")).StatusCode);
    }
}
