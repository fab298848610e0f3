using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Expiring;
using PortalPlatform.Enrollment.Tests.Infrastructure;

namespace PortalPlatform.Enrollment.Tests.Api;

/// <summary>Every status transition of DESIGN.md's table, driven over HTTP and by the other services' real events.</summary>
public sealed class StatusTransitionTests(EnrollmentServers servers) : IClassFixture<EnrollmentServers>
{
    private async Task<(StaffApi Api, Guid Practice)> GivenAPatientAsync(string role = "admin")
    {
        var practice = Guid.NewGuid();
        var api = new StaffApi(servers.ClientFor(practice, role), $"P-{Guid.NewGuid():N}"[..12]);
        await api.RecordDemographicsAsync().ExpectAsync(200);
        return (api, practice);
    }

    private static async Task<Guid> InviteAsync(StaffApi api) =>
        (await api.InviteAsync().ExpectAsync(201)).GetProperty("invitationId").GetGuid();

    private Task WaitForStatusAsync(StaffApi api, string status) =>
        Eventually.TrueAsync(async () => (await api.GetPortalAsync()).Status == status, what: $"status {status}");

    [Fact]
    public async Task A_patient_with_demographics_and_no_invitation_is_not_invited()
    {
        var (api, _) = await GivenAPatientAsync();

        var portal = await api.GetPortalAsync();

        Assert.Equal(("NotInvited", "Invite to patient portal", "\"1\""), (portal.Status, portal.StatusText, portal.ETag));
        Assert.Equal(JsonValueKindNull, portal.Invitation.ValueKind);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;

    [Fact]
    public async Task Inviting_shows_invitation_sent_with_per_channel_delivery_state()
    {
        var (api, practice) = await GivenAPatientAsync();

        var invitationId = await InviteAsync(api);
        var invited = await api.GetPortalAsync();
        Assert.Equal(("Invited", "Invitation sent"), (invited.Status, invited.StatusText));
        Assert.Equal("Pending", invited.Invitation.GetProperty("delivery").GetProperty("email").GetString());
        Assert.Equal("u-1", invited.Invitation.GetProperty("issuedBy").GetString());

        await servers.Messages.PublishAsync(new InviteDelivered(Guid.NewGuid(), practice, api.PatientId, DateTimeOffset.UtcNow, invitationId, Guid.NewGuid(), DeliveryChannel.Email));
        await servers.Messages.PublishAsync(new InviteDeliveryFailed(Guid.NewGuid(), practice, api.PatientId, DateTimeOffset.UtcNow, invitationId, Guid.NewGuid(), DeliveryChannel.Sms, "unreachable", true));

        await Eventually.TrueAsync(async () =>
        {
            var delivery = (await api.GetPortalAsync()).Invitation.GetProperty("delivery");
            return delivery.GetProperty("email").GetString() == "Delivered" && delivery.GetProperty("sms").GetString() == "Failed";
        }, what: "delivery states");
        var issued = await servers.Messages.WaitForAsync<InviteIssued>(e => e.InvitationId == invitationId);
        Assert.False(issued.IsReinvite);
        await servers.Messages.WaitForAsync<PortalStatusChanged>(e => e.PatientId == api.PatientId && e.Status == PortalStatus.Invited && e.PreviousStatus == PortalStatus.NotInvited);
    }

    [Fact]
    public async Task The_expiry_job_leaves_invitations_alone_before_their_time()
    {
        var (api, _) = await GivenAPatientAsync();
        await InviteAsync(api);
        var job = servers.Service.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<InvitationExpiryJob>().Single();

        await job.SweepAsync(CancellationToken.None);

        Assert.Equal("Invited", (await api.GetPortalAsync()).Status);
    }

    [Fact]
    public async Task Too_many_failed_checks_lock_the_patient_out_until_staff_re_invite()
    {
        var (api, practice) = await GivenAPatientAsync();
        var invitationId = await InviteAsync(api);

        await servers.Messages.PublishAsync(new IdentityVerificationLocked(Guid.NewGuid(), practice, api.PatientId, DateTimeOffset.UtcNow, invitationId, Guid.NewGuid(), 5));

        await WaitForStatusAsync(api, "VerificationLocked");
        Assert.Equal("Locked: too many verification attempts", (await api.GetPortalAsync()).StatusText);

        var renewed = await InviteAsync(api);
        Assert.Equal("Invited", (await api.GetPortalAsync()).Status);

        // A late report about the voided invitation changes nothing
        await servers.Messages.PublishAsync(new RegistrationCompleted(Guid.NewGuid(), practice, api.PatientId, DateTimeOffset.UtcNow, invitationId, Guid.NewGuid(), Guid.NewGuid(), false));
        await servers.Messages.PublishAsync(new RegistrationCompleted(Guid.NewGuid(), practice, api.PatientId, DateTimeOffset.UtcNow, renewed, Guid.NewGuid(), Guid.NewGuid(), false));
        await WaitForStatusAsync(api, "Enrolled");
        var history = (await api.GetHistoryAsync()).GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal(["DemographicsRecorded", "InvitationIssued", "VerificationLocked", "InvitationIssued", "RegistrationCompleted"], history);
    }

    [Fact]
    public async Task Registration_enrolls_and_an_enrolled_patient_cannot_be_invited_until_revoked()
    {
        var (api, practice) = await GivenAPatientAsync();
        var invitationId = await InviteAsync(api);

        await servers.Messages.PublishAsync(new RegistrationCompleted(Guid.NewGuid(), practice, api.PatientId, DateTimeOffset.UtcNow, invitationId, Guid.NewGuid(), Guid.NewGuid(), false));
        await WaitForStatusAsync(api, "Enrolled");

        await api.InviteAsync().ExpectProblemAsync(409);
        await api.RevokeAsync("PatientRequest").ExpectAsync(200);
        Assert.Equal("Access revoked", (await api.GetPortalAsync()).StatusText);
        await InviteAsync(api);
        Assert.Equal("Invitation sent", (await api.GetPortalAsync()).StatusText);
    }

    [Fact]
    public async Task Cancelling_a_pending_invitation_goes_back_to_not_invited()
    {
        var (api, _) = await GivenAPatientAsync();
        var invitationId = await InviteAsync(api);

        await api.CancelInvitationAsync(invitationId).ExpectAsync(200);

        Assert.Equal("NotInvited", (await api.GetPortalAsync()).Status);
        await servers.Messages.WaitForAsync<InviteCancelled>(e => e.InvitationId == invitationId);
        await api.CancelInvitationAsync(invitationId).ExpectProblemAsync(409);
        await api.CancelInvitationAsync(Guid.NewGuid()).ExpectProblemAsync(404);
    }

    [Fact]
    public async Task A_caregiver_invited_to_proxy_access_is_granted_it_on_registration_and_loses_it_on_revocation()
    {
        var (api, practice) = await GivenAPatientAsync();
        var created = await api.InviteProxyAsync(new { firstName = "Grace", lastName = "Hopper", dateOfBirth = "1970-01-01", relationship = "daughter", email = "grace@example.org" }).ExpectAsync(201);
        var (proxyId, invitationId) = (created.GetProperty("proxyId").GetGuid(), created.GetProperty("invitationId").GetGuid());
        var command = await servers.Messages.WaitForAsync<CreateRegistration>(c => c.InvitationId == invitationId);
        Assert.Equal((InvitationTemplate.ProxyInvitation, proxyId, "Grace"), (command.Template, command.ProxyId, command.FirstName));

        await servers.Messages.PublishAsync(new RegistrationCompleted(Guid.NewGuid(), practice, api.PatientId, DateTimeOffset.UtcNow, invitationId, Guid.NewGuid(), Guid.NewGuid(), false));

        await servers.Messages.WaitForAsync<ProxyAccessGranted>(e => e.ProxyId == proxyId);
        var proxies = await api.Http.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/patients/{api.PatientId}/portal/proxies");
        Assert.Equal("Active", proxies[0].GetProperty("status").GetString());
        Assert.Equal("NotInvited", (await api.GetPortalAsync()).Status);
        await api.Http.DeleteAsync($"/api/patients/{api.PatientId}/portal/proxies/{proxyId}").ExpectAsync(204);
        await servers.Messages.WaitForAsync<ProxyAccessRevoked>(e => e.ProxyId == proxyId);
    }

    [Fact]
    public async Task Revoking_the_patient_revokes_the_caregivers_proxy_access_with_history()
    {
        var (api, practice) = await GivenAPatientAsync();
        var created = await api.InviteProxyAsync(new { firstName = "Grace", lastName = "Hopper", dateOfBirth = "1970-01-01", relationship = "daughter", email = "grace@example.org" }).ExpectAsync(201);
        var (proxyId, proxyInvitation) = (created.GetProperty("proxyId").GetGuid(), created.GetProperty("invitationId").GetGuid());
        var patientInvitation = await InviteAsync(api);
        await servers.Messages.PublishAsync(new RegistrationCompleted(Guid.NewGuid(), practice, api.PatientId, DateTimeOffset.UtcNow, patientInvitation, Guid.NewGuid(), Guid.NewGuid(), false));
        await servers.Messages.PublishAsync(new RegistrationCompleted(Guid.NewGuid(), practice, api.PatientId, DateTimeOffset.UtcNow, proxyInvitation, Guid.NewGuid(), Guid.NewGuid(), false));
        await servers.Messages.WaitForAsync<ProxyAccessGranted>(e => e.ProxyId == proxyId);
        await WaitForStatusAsync(api, "Enrolled");

        await api.RevokeAsync("Privacy").ExpectAsync(200);

        var proxies = await api.Http.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/patients/{api.PatientId}/portal/proxies");
        Assert.Equal("Revoked", proxies[0].GetProperty("status").GetString());
        var history = await api.GetHistoryAsync();
        Assert.Contains(history.GetProperty("entries").EnumerateArray(), e => e.GetProperty("type").GetString() == "ProxyAccessRevoked");
        await servers.Messages.WaitForAsync<ProxyAccessRevoked>(e => e.ProxyId == proxyId);
    }
}
