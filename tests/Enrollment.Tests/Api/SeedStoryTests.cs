using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Tests.Infrastructure;

namespace PortalPlatform.Enrollment.Tests.Api;

/// <summary>DESIGN.md's story, over HTTP against real PostgreSQL and RabbitMQ.</summary>
public sealed class SeedStoryTests(EnrollmentServers servers) : IClassFixture<EnrollmentServers>
{
    [Fact]
    public async Task A_revoked_patient_is_reinvited_with_the_demographics_contact_one_field_edited_and_is_enrolled_again()
    {
        // Given an enrolled patient whose access a provider revokes with a reason
        var practice = Guid.NewGuid();
        var api = new StaffApi(servers.ClientFor(practice, "provider", "dr-house"), "EHR-7781");
        await api.RecordDemographicsAsync(email: "ada@example.org", phone: "+12015550100").ExpectAsync(200);
        var first = await api.InviteAsync().ExpectAsync(201);
        await servers.Messages.PublishAsync(new RegistrationCompleted(Guid.NewGuid(), practice, api.PatientId, DateTimeOffset.UtcNow,
            first.GetProperty("invitationId").GetGuid(), Guid.NewGuid(), Guid.NewGuid(), false));
        await Eventually.TrueAsync(async () => (await api.GetPortalAsync()).Status == "Enrolled", what: "first enrolment");

        await api.RevokeAsync("PreventingHarm", note: "requested by guardian",
            harm: new { decidingClinicianId = "dr-house", decidingClinicianName = "Dr House", basis = "EndangersLifeOrSafety", scope = "Patient" }).ExpectAsync(200);

        // Then the chart shows "Access revoked", and the revocation left with reason and actor but without the note
        var revoked = await api.GetPortalAsync();
        Assert.Equal(("AccessRevoked", "Access revoked"), (revoked.Status, revoked.StatusText));
        var broadcast = await servers.Messages.WaitForAsync<AccessRevoked>(e => e.PatientId == api.PatientId);
        Assert.Equal((RevocationReason.PreventingHarm, "dr-house"), (broadcast.Reason, broadcast.RevokedBy));
        Assert.Equal(new HarmDetermination("dr-house", "Dr House", HarmBasis.EndangersLifeOrSafety, HarmScope.Patient), broadcast.Harm);

        // When staff invite with the demographics' email and an edited phone, honouring the ETag they read
        var created = await api.InviteAsync(new { phone = "+12015550199" }, ifMatch: revoked.ETag).ExpectAsync(201);
        var invitationId = created.GetProperty("invitationId").GetGuid();

        // Then the status is "Invitation sent" with that contact, and Identity-Verification is asked for a reinvitation
        var invited = await api.GetPortalAsync();
        Assert.Equal(("Invited", "Invitation sent"), (invited.Status, invited.StatusText));
        Assert.Equal(("ada@example.org", "+12015550199"), (invited.Body.GetProperty("email").GetString(), invited.Body.GetProperty("phone").GetString()));
        Assert.Equal(invitationId, invited.InvitationId);
        var command = await servers.Messages.WaitForAsync<CreateRegistration>(c => c.InvitationId == invitationId);
        Assert.Equal((InvitationTemplate.Reinvitation, "ada@example.org", "+12015550199", "Ada", new DateOnly(1980, 12, 10)),
            (command.Template, command.Email, command.Phone, command.FirstName, command.DateOfBirth));
        var issued = await servers.Messages.WaitForAsync<InviteIssued>(e => e.InvitationId == invitationId);
        Assert.True(issued.IsReinvite);
        Assert.Equal(first.GetProperty("invitationId").GetGuid(), issued.ReplacesInvitationId);

        // When the patient completes registration
        await servers.Messages.PublishAsync(new RegistrationCompleted(Guid.NewGuid(), practice, api.PatientId, DateTimeOffset.UtcNow,
            invitationId, Guid.NewGuid(), Guid.NewGuid(), false));

        // Then the chart shows "Enrolled", and the history tells the whole story with actors and the reason
        await Eventually.TrueAsync(async () => (await api.GetPortalAsync()).StatusText == "Enrolled", what: "re-enrolment");
        var history = await api.GetHistoryAsync();
        var entries = history.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(
            ["DemographicsRecorded", "InvitationIssued", "RegistrationCompleted", "AccessRevoked", "InvitationIssued", "RegistrationCompleted"],
            entries.Select(e => e.GetProperty("type").GetString()));
        var revocation = entries[3];
        Assert.Equal("dr-house", revocation.GetProperty("actor").GetString());
        Assert.Equal("PreventingHarm", revocation.GetProperty("details").GetProperty("reason").GetString());
        Assert.Equal("requested by guardian", revocation.GetProperty("details").GetProperty("note").GetString());
        Assert.Equal(("Dr House", "EndangersLifeOrSafety", "Patient"), (revocation.GetProperty("details").GetProperty("decidingClinician").GetString(),
            revocation.GetProperty("details").GetProperty("basis").GetString(), revocation.GetProperty("details").GetProperty("scope").GetString()));
        await servers.Messages.WaitForAsync<PortalStatusChanged>(e => e.PatientId == api.PatientId && e.Status == PortalStatus.Enrolled && e.PreviousStatus == PortalStatus.Invited && e.Version == 6);
    }
}
