using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using PortalPlatform.Contracts;
using PortalPlatform.Testing;

namespace PortalPlatform.Gateway.Tests;

/// <summary>
/// Staff act on a chart while Notification's delivery receipts land (issue 11): through the gateway, against the real
/// Enrollment, with the receipts published on RabbitMQ as Notification publishes them.
/// </summary>
public sealed class StaffCommandsWithBackgroundEventsTests(GatewayInFrontOfEnrollment platform) : IClassFixture<GatewayInFrontOfEnrollment>, IAsyncLifetime
{
    private IBusControl _notification = null!;

    public async Task InitializeAsync()
    {
        _notification = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(new Uri(platform.RabbitMqConnectionString)));
        await _notification.StartAsync();
    }

    public async Task DisposeAsync() => await _notification.StopAsync();

    private sealed record Chart(HttpClient Http, Guid Practice, string PatientId)
    {
        public string Portal => $"/api/patients/{PatientId}/portal";

        public async Task<(JsonElement Body, string ETag)> ReadAsync()
        {
            var response = await Http.GetAsync(Portal);
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<JsonElement>(), response.Headers.ETag!.Tag);
        }

        public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object body, string? ifMatch = null)
        {
            var request = new HttpRequestMessage(method, Portal + path) { Content = JsonContent.Create(body) };
            if (ifMatch is not null)
            {
                request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
            }

            return Http.SendAsync(request);
        }

        public Task<HttpResponseMessage> InviteAsync(string? ifMatch = null) => SendAsync(HttpMethod.Post, "/invitations", new { }, ifMatch);

        public Task<HttpResponseMessage> RevokeAsync(string? ifMatch = null) => SendAsync(HttpMethod.Post, "/revocation", new { reason = "PatientRequest" }, ifMatch);

        public async Task<List<string>> HistoryTypesAsync() =>
            (await Http.GetFromJsonAsync<JsonElement>($"{Portal}/history")).GetProperty("entries").EnumerateArray()
                .Select(e => e.GetProperty("type").GetString()!).ToList();
    }

    private async Task<(Chart Chart, Guid InvitationId)> GivenAnInvitedPatientAsync()
    {
        var practice = Guid.NewGuid();
        var chart = new Chart(platform.Client(practice), practice, $"G-{Guid.NewGuid():N}"[..14]);
        var recorded = await chart.Http.PutAsJsonAsync($"/api/patients/{chart.PatientId}",
            new { firstName = "Ada", lastName = "Lovelace", dateOfBirth = "1980-12-10", email = "ada@example.org", phone = "+12015550100" });
        Assert.Equal(HttpStatusCode.OK, recorded.StatusCode);
        var invited = await chart.InviteAsync();
        Assert.Equal(HttpStatusCode.Created, invited.StatusCode);
        return (chart, (await invited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("invitationId").GetGuid());
    }

    private Task PublishReceiptAsync(Chart chart, Guid invitationId, DeliveryChannel channel) =>
        _notification.Publish(new InviteDelivered(Guid.NewGuid(), chart.Practice, chart.PatientId, DateTimeOffset.UtcNow, invitationId, Guid.NewGuid(), channel));

    private static Task WaitForDeliveredAsync(Chart chart, string channel) =>
        Eventually.TrueAsync(async () => (await chart.ReadAsync()).Body.GetProperty("invitation").GetProperty("delivery").GetProperty(channel).GetString() == "Delivered",
            TimeSpan.FromSeconds(30), $"{channel} receipt shown on the chart");

    [Fact]
    public async Task Re_invites_and_revocations_without_If_Match_all_succeed_once_while_receipts_land()
    {
        var (chart, invitationId) = await GivenAnInvitedPatientAsync();

        // When receipts for the current invitation land while several staff members re-invite at once
        var receipts = Enumerable.Range(0, 10).Select(i => PublishReceiptAsync(chart, invitationId, i % 2 == 0 ? DeliveryChannel.Email : DeliveryChannel.Sms));
        var invites = Enumerable.Range(0, 4).Select(_ => chart.InviteAsync()).ToList();
        await Task.WhenAll(receipts);
        var answers = await Task.WhenAll(invites);

        // Then every re-invite was decided again on fresh state rather than refused, and each applied exactly once
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
        var (_, etag) = await chart.ReadAsync();
        Assert.Equal("\"6\"", etag); // demographics + 5 invitations: receipts never move the version staff decide on
        Assert.Equal(5, (await chart.HistoryTypesAsync()).Count(t => t == "InvitationIssued"));

        // And revocations racing more receipts behave the same: one revokes, the other is told it is already revoked
        var latest = (await chart.ReadAsync()).Body.GetProperty("invitation").GetProperty("invitationId").GetGuid();
        var moreReceipts = PublishReceiptAsync(chart, latest, DeliveryChannel.Email);
        var revocations = await Task.WhenAll(chart.RevokeAsync(), chart.RevokeAsync());
        await moreReceipts;
        Assert.Equal(new[] { HttpStatusCode.OK, HttpStatusCode.Conflict }, revocations.Select(r => r.StatusCode).Order());
        Assert.Equal(1, (await chart.HistoryTypesAsync()).Count(t => t == "AccessRevoked"));
        Assert.Equal("\"7\"", (await chart.ReadAsync()).ETag);
    }

    [Fact]
    public async Task A_chart_read_before_a_receipt_arrived_can_still_invite_and_revoke_with_If_Match()
    {
        var (chart, invitationId) = await GivenAnInvitedPatientAsync();
        var (_, seen) = await chart.ReadAsync();

        // When the email receipt arrives after staff opened the chart
        await PublishReceiptAsync(chart, invitationId, DeliveryChannel.Email);
        await WaitForDeliveredAsync(chart, "email");

        // Then the chart shows the delivery, its ETag did not move, and the command decided on what staff saw succeeds
        Assert.Equal(seen, (await chart.ReadAsync()).ETag);
        var reinvited = await chart.InviteAsync(ifMatch: seen);
        Assert.Equal(HttpStatusCode.Created, reinvited.StatusCode);
        var revoked = await chart.RevokeAsync(ifMatch: reinvited.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
    }

    [Fact]
    public async Task A_chart_read_before_another_staff_member_changed_the_patient_gets_412()
    {
        var (chart, invitationId) = await GivenAnInvitedPatientAsync();
        var (_, seen) = await chart.ReadAsync();
        await PublishReceiptAsync(chart, invitationId, DeliveryChannel.Sms);
        await WaitForDeliveredAsync(chart, "sms");

        // When another staff member re-invites in between
        Assert.Equal(HttpStatusCode.Created, (await chart.InviteAsync()).StatusCode);

        // Then the command decided on the stale chart is refused, and nothing changed
        var stale = await chart.RevokeAsync(ifMatch: seen);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("application/problem+json", stale.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Invited", (await chart.ReadAsync()).Body.GetProperty("status").GetString());
    }
}
