using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using PortalPlatform.Contracts;
using PortalPlatform.Hosting.Local;
using PortalPlatform.Notification.Deliveries;
using PortalPlatform.Testing;
using StandardWebhooks;

namespace PortalPlatform.Notification.Tests;

/// <summary>
/// The SMS provider's delivery-status callback against the real service: signed the Standard Webhooks way (signed
/// here with the StandardWebhooks package, not the service's own code), read raw, applied once however many arrive.
/// </summary>
public sealed class SmsStatusCallbackTests(NotificationServers servers) : NotificationServiceTests(servers)
{
    private const string CallbackPath = "/callbacks/sms/status";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly Guid _practice = Guid.NewGuid();

    [Fact]
    public async Task A_signed_undelivered_report_with_the_provider_s_extra_fields_bounces_the_text_and_tells_enrollment()
    {
        var (command, sent) = await GivenASentTextAsync();
        using var provider = Service.CreateClient();

        // Real providers send more than we read (ids, prices, numbers); the signature covers the raw bytes.
        var body = $$"""{"reference":"{{sent.DeliveryId:N}}","status":"undelivered","error":"30003 unreachable handset","messageSid":"SM1","price":"-0.0075","to":"+12015550100"}""";
        using var response = await provider.SendAsync(Signed(body));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        using var staff = Service.StaffClient(_practice);
        var row = (await staff.DeliveriesAsync(command.PatientId)).Single();
        Assert.Equal("Bounced", row.State);
        Assert.Contains("undelivered: 30003 unreachable handset", row.LastError);
        var failed = await Eventually.GetAsync(
            () => Task.FromResult(Servers.Failed.SingleOrDefault(f => f.InvitationId == command.InvitationId)), Patience, "InviteDeliveryFailed for the bounce");
        Assert.Equal(DeliveryChannel.Sms, failed.Channel);
        Assert.True(failed.Permanent);
    }

    [Fact]
    public async Task Callbacks_without_a_current_signature_of_the_deployment_secret_get_401_and_change_nothing()
    {
        var (command, sent) = await GivenASentTextAsync();
        var body = Body(sent.DeliveryId, "undelivered");
        var now = DateTimeOffset.UtcNow;
        var otherSecret = "whsec_" + Convert.ToBase64String(new byte[32]);
        var refused = new (string What, HttpRequestMessage Request)[]
        {
            ("no signature headers", Unsigned(body)),
            ("the old shared bearer key", WithBearer(Unsigned(body))),
            ("another deployment's secret", Signed(body, otherSecret)),
            ("a body changed after signing", Tampered(Signed(body), Body(sent.DeliveryId, "failed"))),
            ("a signature header of garbage", Headers(Unsigned(body), "msg_1", now, "v1,not-base64!")),
            ("a signature of another scheme", Headers(Unsigned(body), "msg_1", now, "v2," + Convert.ToBase64String(new byte[32]))),
            ("a timestamp six minutes old", Signed(body, at: now.AddMinutes(-6))),
            ("a timestamp six minutes ahead", Signed(body, at: now.AddMinutes(6))),
            ("a timestamp that is not a number", Headers(Signed(body), null, null, null, timestamp: "yesterday")),
        };
        using var provider = Service.CreateClient();

        foreach (var (what, request) in refused)
        {
            using (request)
            using (var response = await provider.SendAsync(request))
            {
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{what}: answered {(int)response.StatusCode}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }

        using var staff = Service.StaffClient(_practice);
        Assert.Equal("Sent", (await staff.DeliveriesAsync(command.PatientId)).Single().State);
        Assert.Equal(0, await BouncesAsync(sent.DeliveryId));

        // The same body, signed now with the deployment's secret (one of two, as during a rotation), is taken.
        const string id = "msg_rotation";
        var signatures = $"{new StandardWebhook(otherSecret).Sign(id, now, body)} {new StandardWebhook(NotificationServers.CallbackSecret).Sign(id, now, body)}";
        using (var rotated = Headers(Unsigned(body), id, now, signatures))
        using (var response = await provider.SendAsync(rotated))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        Assert.Equal("Bounced", (await staff.DeliveriesAsync(command.PatientId)).Single().State);
        Assert.Equal(1, await BouncesAsync(sent.DeliveryId));
    }

    [Fact]
    public async Task Twenty_concurrent_callbacks_for_one_text_all_succeed_and_bounce_it_exactly_once()
    {
        var (command, sent) = await GivenASentTextAsync();
        using var provider = Service.CreateClient();
        var statuses = Enumerable.Repeat("undelivered", 10).Concat(Enumerable.Repeat("failed", 5)).Concat(Enumerable.Repeat("delivered", 5)).ToList();

        var responses = await Task.WhenAll(statuses.Select(async status =>
        {
            using var request = Signed(Body(sent.DeliveryId, status));
            using var response = await provider.SendAsync(request);
            return response.StatusCode;
        }));

        Assert.All(responses, status => Assert.Equal(HttpStatusCode.NoContent, status));
        Assert.Equal(1, await BouncesAsync(sent.DeliveryId));
        using var staff = Service.StaffClient(_practice);
        Assert.Equal("Bounced", (await staff.DeliveriesAsync(command.PatientId)).Single().State);
    }

    [Fact]
    public async Task A_signed_callback_that_is_not_a_status_report_is_a_problem_naming_the_field()
    {
        var (_, sent) = await GivenASentTextAsync();
        using var provider = Service.CreateClient();

        await ExpectProblemAsync(provider, Signed("{\"reference\": "), "body");
        await ExpectProblemAsync(provider, Signed("[]"), "body");
        await ExpectProblemAsync(provider, Signed("""{"reference":"not-ours","status":"failed"}"""), "reference");
        await ExpectProblemAsync(provider, Signed(Body(sent.DeliveryId, "exploded")), "status");
        Assert.Equal(0, await BouncesAsync(sent.DeliveryId));
    }

    [Fact]
    public async Task A_number_the_phone_rule_refuses_is_never_texted()
    {
        // +1 555 555 0123 looks like E.164 (the old rule sent it), but 555 is no assigned area code.
        var command = NotificationServers.Invitation(_practice, null, "+15555550123");

        await Servers.SendAsync(command);

        var failed = await Eventually.GetAsync(
            () => Task.FromResult(Servers.Failed.SingleOrDefault(f => f.InvitationId == command.InvitationId)), Patience, "InviteDeliveryFailed");
        Assert.True(failed.Permanent);
        Assert.Contains("not a valid phone number", failed.Reason);
        Assert.DoesNotContain(SmsSink.ReadAll(), s => s.To == "+15555550123");
    }

    private async Task<(DeliverInvitation Command, DeliveryRow Sent)> GivenASentTextAsync()
    {
        var command = NotificationServers.Invitation(_practice, null, NotificationServers.UniquePhone());
        await Servers.SendAsync(command);
        using var staff = Service.StaffClient(_practice);
        var sent = await Eventually.GetAsync(async () =>
            (await staff.DeliveriesAsync(command.PatientId)).SingleOrDefault(r => r.State == "Sent"), Patience, "the text sent");
        return (command, sent);
    }

    private async Task<int> BouncesAsync(Guid deliveryId)
    {
        await using var session = Service.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var events = await session.Events.FetchStreamAsync(deliveryId);
        return events.Count(e => e.Data is DeliveryBounced);
    }

    private static string Body(Guid deliveryId, string status) =>
        JsonSerializer.Serialize(new { reference = deliveryId.ToString("N"), status, error = "30003" });

    private static HttpRequestMessage Unsigned(string body) =>
        new(HttpMethod.Post, CallbackPath) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    private static HttpRequestMessage Signed(string body, string? secret = null, DateTimeOffset? at = null)
    {
        var id = $"msg_{Guid.NewGuid():N}";
        var timestamp = at ?? DateTimeOffset.UtcNow;
        return Headers(Unsigned(body), id, timestamp, new StandardWebhook(secret ?? NotificationServers.CallbackSecret).Sign(id, timestamp, body));
    }

    private static HttpRequestMessage Headers(HttpRequestMessage request, string? id, DateTimeOffset? at, string? signature, string? timestamp = null)
    {
        if (id is not null)
        {
            request.Headers.Add("webhook-id", id);
        }

        if ((timestamp ?? at?.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)) is { } value)
        {
            request.Headers.Remove("webhook-timestamp");
            request.Headers.Add("webhook-timestamp", value);
        }

        if (signature is not null)
        {
            request.Headers.Add("webhook-signature", signature);
        }

        return request;
    }

    private static HttpRequestMessage WithBearer(HttpRequestMessage request)
    {
        request.Headers.Authorization = new("Bearer", NotificationServers.CallbackSecret);
        return request;
    }

    private static HttpRequestMessage Tampered(HttpRequestMessage request, string body)
    {
        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return request;
    }

    private static async Task ExpectProblemAsync(HttpClient client, HttpRequestMessage request, string field)
    {
        using (request)
        using (var response = await client.SendAsync(request))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains($"\"{field}\"", await response.Content.ReadAsStringAsync());
        }
    }
}
