using System.Net.Http.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Tests.Infrastructure;
using PortalPlatform.ServiceDefaults.EventStore;

namespace PortalPlatform.Enrollment.Tests.Api;

/// <summary>Expired links and date of birth, on a fake clock (its own class: moving the clock moves it for the whole class).</summary>
public sealed class RenewalRequestTests(EnrollmentServers servers) : IClassFixture<EnrollmentServers>
{
    private async Task<(StaffApi Api, Guid Practice, Guid InvitationId)> GivenAnExpiredInvitationAsync(bool autoRenew)
    {
        var practice = Guid.NewGuid();
        var api = new StaffApi(servers.ClientFor(practice, "admin"), $"P-{Guid.NewGuid():N}"[..12]);
        await api.RecordDemographicsAsync(email: "ada@example.org").ExpectAsync(200);
        var settings = await api.Http.PutAsJsonAsync("/api/practice/portal-settings",
            new { autoInvite = false, whoCanInvite = "AllUsers", invitationLifetimeDays = 1, autoRenewExpiredInvitations = autoRenew }).ExpectAsync(200);
        Assert.Equal(autoRenew, settings.GetProperty("autoRenewExpiredInvitations").GetBoolean());
        var invitationId = (await api.InviteAsync().ExpectAsync(201)).GetProperty("invitationId").GetGuid();

        servers.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        await Eventually.TrueAsync(async () =>
        {
            servers.Clock.Advance(TimeSpan.FromMinutes(1));
            return (await api.GetPortalAsync()).Status == "InviteExpired";
        }, what: "expiry");
        return (api, practice, invitationId);
    }

    private async Task RequestAsync(Guid practice, string patientId, Guid invitationId)
    {
        var command = new RequestAccess(Guid.NewGuid(), practice, patientId, AccessRequestProof.ExpiredInvitation, invitationId, DateTimeOffset.UtcNow);
        await servers.Messages.SendAsync(CommandQueues.RequestAccess, command);
        var store = servers.Service.Services.GetRequiredService<IDocumentStore>();
        await Eventually.TrueAsync(async () =>
        {
            await using var session = store.QuerySession();
            return await session.AlreadyProcessedAsync("request-access", command.CommandId, CancellationToken.None);
        }, what: "the RequestAccess command consumed");
    }

    [Fact]
    public async Task An_expired_link_with_the_date_of_birth_checked_becomes_a_renewal_request_for_staff()
    {
        var (api, practice, invitationId) = await GivenAnExpiredInvitationAsync(autoRenew: false);

        await RequestAsync(practice, api.PatientId, invitationId);

        var open = await api.OpenRequestsAsync();
        var request = open.GetProperty("requests").EnumerateArray().Single();
        Assert.Equal(("Renewal", "New invitation request", "ExpiredInvitation", "InviteExpired"), (request.GetProperty("kind").GetString(),
            request.GetProperty("kindText").GetString(), request.GetProperty("proof").GetString(), request.GetProperty("status").GetString()));
        Assert.Equal("InviteExpired", (await api.GetPortalAsync()).Status);
        Assert.DoesNotContain(servers.Messages.Received<CreateRegistration>(), c => c.PatientId == api.PatientId && c.InvitationId != invitationId);
    }

    [Fact]
    public async Task With_auto_renewal_on_the_expired_link_brings_a_fresh_invitation_at_once()
    {
        var (api, practice, invitationId) = await GivenAnExpiredInvitationAsync(autoRenew: true);

        await RequestAsync(practice, api.PatientId, invitationId);

        var portal = await api.GetPortalAsync();
        Assert.Equal("Invited", portal.Status);
        Assert.NotEqual(invitationId, portal.InvitationId);
        var command = await servers.Messages.WaitForAsync<CreateRegistration>(c => c.InvitationId == portal.InvitationId);
        Assert.Equal("ada@example.org", command.Email);
        var approved = await servers.Messages.WaitForAsync<AccessRequestApproved>(e => e.PatientId == api.PatientId);
        Assert.Equal(("auto-renewal", portal.InvitationId, AccessRequestKind.Renewal), (approved.ApprovedBy, approved.InvitationId, approved.Kind));
        Assert.Equal(0, (await api.OpenRequestsAsync()).GetProperty("count").GetInt32());
    }
}
