using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using PortalPlatform.Contracts;
using PortalPlatform.ServiceDefaults.Security;
using PortalPlatform.Testing;

namespace PortalPlatform.Gateway.Tests;

/// <summary>The staff side of access requests through the real gateway: the practice's own requests only, problems for bad input.</summary>
public sealed class AccessRequestsThroughGatewayTests(GatewayInFrontOfEnrollment platform) : IClassFixture<GatewayInFrontOfEnrollment>
{
    [Fact]
    public async Task Staff_see_and_decline_their_practice_s_open_request_and_another_practice_sees_nothing_of_it()
    {
        // Given a revoked patient who asked for access back (Identity-Verification's command, played by a test bus)
        var practice = Guid.NewGuid();
        var provider = platform.Client(practice, StaffRoles.Provider);
        var patientId = $"P-{Guid.NewGuid():N}"[..12];
        await Expect(provider.PutAsJsonAsync($"/api/patients/{patientId}",
            new { firstName = "Ada", lastName = "Lovelace", dateOfBirth = "1980-04-02", email = "ada@example.test", phone = "+12015550100" }), HttpStatusCode.OK);
        await Expect(provider.PostAsJsonAsync($"/api/patients/{patientId}/portal/invitations", new { }), HttpStatusCode.Created);
        await Expect(provider.PostAsJsonAsync($"/api/patients/{patientId}/portal/revocation", new { reason = "Privacy" }), HttpStatusCode.OK);
        await SendAsync(new RequestAccess(Guid.NewGuid(), practice, patientId, AccessRequestProof.ExpiredInvitation, null, DateTimeOffset.UtcNow));

        // When staff list the open requests, they see it; staff of another practice see none and cannot decline it
        var open = await Eventually.GetAsync(async () =>
        {
            var list = await provider.GetStringAsync("/api/practice/access-requests?state=Open");
            return JsonDocument.Parse(list).RootElement.GetProperty("count").GetInt32() == 1 ? list : null;
        }, what: "the open request through the gateway");
        var request = JsonDocument.Parse(open).RootElement.GetProperty("requests")[0];
        Assert.Equal((patientId, "Restore"), (request.GetProperty("patientId").GetString(), request.GetProperty("kind").GetString()));
        var requestId = request.GetProperty("requestId").GetGuid();
        var stranger = platform.Client(Guid.NewGuid(), StaffRoles.Admin);
        Assert.Equal(0, (await stranger.GetFromJsonAsync<JsonElement>("/api/practice/access-requests?state=Open")).GetProperty("count").GetInt32());
        await ExpectProblem(stranger.PostAsJsonAsync($"/api/practice/access-requests/{requestId}/decline", new { reason = "not ours" }), HttpStatusCode.NotFound);
        await ExpectProblem(platform.Client().GetAsync("/api/practice/access-requests?state=Open"), HttpStatusCode.Unauthorized);

        // Bad input is a problem naming the field; then a decline with a reason closes the request
        await ExpectProblem(provider.GetAsync("/api/practice/access-requests?state=Sideways"), HttpStatusCode.BadRequest, "state");
        await ExpectProblem(provider.PostAsJsonAsync($"/api/practice/access-requests/{requestId}/decline", new { reason = "" }), HttpStatusCode.BadRequest, "reason");
        await Expect(provider.PostAsJsonAsync($"/api/practice/access-requests/{requestId}/decline", new { reason = "Discussed by phone" }), HttpStatusCode.OK);
        Assert.Equal(0, (await provider.GetFromJsonAsync<JsonElement>("/api/practice/access-requests?state=Open")).GetProperty("count").GetInt32());
    }

    private async Task SendAsync(RequestAccess command)
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(new Uri(platform.RabbitMqConnectionString)));
        await bus.StartAsync();
        try
        {
            await (await bus.GetSendEndpoint(new Uri("queue:" + CommandQueues.RequestAccess))).Send(command);
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    private static async Task Expect(Task<HttpResponseMessage> call, HttpStatusCode status)
    {
        var response = await call;
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    private static async Task ExpectProblem(Task<HttpResponseMessage> call, HttpStatusCode status, string? field = null)
    {
        var response = await call;
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (field is not null)
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        }
    }
}
