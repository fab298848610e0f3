using System.Net.Http.Json;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Tests.Infrastructure;

namespace PortalPlatform.Enrollment.Tests.Api;

/// <summary>Expiry on a fake clock, in its own class because moving the clock moves it for every test of the class.</summary>
public sealed class InvitationExpiryTests(EnrollmentServers servers) : IClassFixture<EnrollmentServers>
{
    [Fact]
    public async Task An_unused_invitation_expires_on_time_without_anyone_asking_and_can_be_renewed()
    {
        var api = new StaffApi(servers.ClientFor(Guid.NewGuid(), "admin"), "EHR-EXP-1");
        await api.RecordDemographicsAsync().ExpectAsync(200);
        var settings = await api.Http.PutAsJsonAsync("/api/practice/portal-settings", new { autoInvite = false, whoCanInvite = "AllUsers", invitationLifetimeDays = 3 }).ExpectAsync(200);
        var invitationId = (await api.InviteAsync().ExpectAsync(201)).GetProperty("invitationId").GetGuid();
        Assert.Equal(3, settings.GetProperty("invitationLifetimeDays").GetInt32());

        // When the fake clock passes the 3-day lifetime (the job sweeps every minute of that clock)
        servers.Clock.Advance(TimeSpan.FromDays(3) + TimeSpan.FromMinutes(1));
        await Eventually.TrueAsync(async () =>
        {
            servers.Clock.Advance(TimeSpan.FromMinutes(1));
            return (await api.GetPortalAsync()).Status == "InviteExpired";
        }, what: "expiry");

        // Then the chart says so, and the expiry left the service
        Assert.Equal("Invitation expired", (await api.GetPortalAsync()).StatusText);
        await servers.Messages.WaitForAsync<InviteExpired>(e => e.InvitationId == invitationId);

        // And staff can re-invite, which voids the expired invitation
        var renewed = (await api.InviteAsync().ExpectAsync(201)).GetProperty("invitationId").GetGuid();
        var issued = await servers.Messages.WaitForAsync<InviteIssued>(e => e.InvitationId == renewed);
        Assert.Equal((true, invitationId), (issued.IsReinvite, issued.ReplacesInvitationId));
    }

}
