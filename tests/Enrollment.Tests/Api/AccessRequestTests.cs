using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Tests.Infrastructure;
using PortalPlatform.ServiceDefaults.EventStore;

namespace PortalPlatform.Enrollment.Tests.Api;

/// <summary>
/// The way back: Identity-Verification's RequestAccess command (sent by the test bus to Enrollment's own queue) and
/// what staff do with the request, over HTTP against real PostgreSQL and RabbitMQ.
/// </summary>
public sealed class AccessRequestTests(EnrollmentServers servers) : IClassFixture<EnrollmentServers>
{
    private static readonly object HarmByDrA = new
    {
        decidingClinicianId = "dr-a", decidingClinicianName = "Dr Alvarez", basis = "EndangersLifeOrSafety", scope = "Patient",
    };

    private async Task<(StaffApi Api, Guid Practice)> GivenARevokedPatientAsync(string reason = "Privacy", object? harm = null)
    {
        var practice = Guid.NewGuid();
        var api = new StaffApi(servers.ClientFor(practice, "provider", "dr-a"), $"P-{Guid.NewGuid():N}"[..12]);
        await api.RecordDemographicsAsync().ExpectAsync(200);
        var invitationId = (await api.InviteAsync().ExpectAsync(201)).GetProperty("invitationId").GetGuid();
        await servers.Messages.PublishAsync(new RegistrationCompleted(Guid.NewGuid(), practice, api.PatientId, DateTimeOffset.UtcNow,
            invitationId, Guid.NewGuid(), Guid.NewGuid(), false));
        await Eventually.TrueAsync(async () => (await api.GetPortalAsync()).Status == "Enrolled", what: "enrolment");
        await api.RevokeAsync(reason, note: "kept inside", harm: harm).ExpectAsync(200);
        return (api, practice);
    }

    /// <summary>Sends the command and waits until Enrollment has consumed it (its inbox row is committed with the effect).</summary>
    private async Task RequestAsync(Guid practice, string patientId, AccessRequestProof proof = AccessRequestProof.Credentials)
    {
        var command = new RequestAccess(Guid.NewGuid(), practice, patientId, proof, null, DateTimeOffset.UtcNow);
        await servers.Messages.SendAsync(CommandQueues.RequestAccess, command);
        var store = servers.Service.Services.GetRequiredService<IDocumentStore>();
        await Eventually.TrueAsync(async () =>
        {
            await using var session = store.QuerySession();
            return await session.AlreadyProcessedAsync("request-access", command.CommandId, CancellationToken.None);
        }, what: "the RequestAccess command consumed");
    }

    private static async Task<JsonElement> SingleOpenRequestAsync(StaffApi api)
    {
        var open = await api.OpenRequestsAsync();
        Assert.Equal(1, open.GetProperty("count").GetInt32());
        return open.GetProperty("requests").EnumerateArray().Single();
    }

    private static async Task<List<string>> HistoryTypesAsync(StaffApi api) =>
        (await api.GetHistoryAsync()).GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("type").GetString()!).ToList();

    [Fact]
    public async Task A_revoked_patient_asking_twice_has_one_open_request_in_the_list_the_chart_the_history_and_on_the_bus()
    {
        var (api, practice) = await GivenARevokedPatientAsync();

        await RequestAsync(practice, api.PatientId);
        await RequestAsync(practice, api.PatientId);

        var request = await SingleOpenRequestAsync(api);
        Assert.Equal((api.PatientId, "Restore", "Access request", "Ada", "AccessRevoked"), (request.GetProperty("patientId").GetString(),
            request.GetProperty("kind").GetString(), request.GetProperty("kindText").GetString(), request.GetProperty("firstName").GetString(),
            request.GetProperty("status").GetString()));
        var portal = await api.GetPortalAsync();
        Assert.Equal(request.GetProperty("requestId").GetGuid(), portal.Body.GetProperty("accessRequest").GetProperty("requestId").GetGuid());
        Assert.Single(await HistoryTypesAsync(api), t => t == "AccessRequested");
        var requested = await servers.Messages.WaitForAsync<AccessRequested>(e => e.PatientId == api.PatientId);
        Assert.Equal((AccessRequestKind.Restore, AccessRequestProof.Credentials, 1), (requested.Kind, requested.Proof, requested.SchemaVersion));
        Assert.Single(servers.Messages.Received<AccessRequested>(), e => e.PatientId == api.PatientId);

        // Another practice sees nothing of it.
        var stranger = new StaffApi(servers.ClientFor(Guid.NewGuid(), "admin"), api.PatientId);
        Assert.Equal(0, (await stranger.OpenRequestsAsync()).GetProperty("count").GetInt32());
        await stranger.DeclineAsync(request.GetProperty("requestId").GetGuid(), "not ours").ExpectProblemAsync(404);
    }

    [Fact]
    public async Task A_request_from_a_patient_who_is_not_locked_out_records_nothing()
    {
        var practice = Guid.NewGuid();
        var api = new StaffApi(servers.ClientFor(practice, "admin"), $"P-{Guid.NewGuid():N}"[..12]);
        await api.RecordDemographicsAsync().ExpectAsync(200);
        await api.InviteAsync().ExpectAsync(201);

        await RequestAsync(practice, api.PatientId, AccessRequestProof.UsedInvitation);
        await RequestAsync(practice, "NO-SUCH-PATIENT");

        Assert.Equal(0, (await api.OpenRequestsAsync()).GetProperty("count").GetInt32());
        Assert.DoesNotContain("AccessRequested", await HistoryTypesAsync(api));
    }

    [Fact]
    public async Task Declining_needs_a_reason_is_recorded_in_the_history_and_tells_the_patient_without_the_reason()
    {
        var (api, practice) = await GivenARevokedPatientAsync();
        await RequestAsync(practice, api.PatientId);
        var requestId = (await SingleOpenRequestAsync(api)).GetProperty("requestId").GetGuid();

        await api.DeclineAsync(requestId, "  ").ExpectProblemAsync(400, "reason");
        await api.DeclineAsync(requestId, null).ExpectProblemAsync(400, "reason");
        await api.Http.PostAsync($"/api/practice/access-requests/not-an-id/decline", JsonContent.Create(new { reason = "x" })).ExpectProblemAsync(400, "requestId");
        Assert.Equal(1, (await api.OpenRequestsAsync()).GetProperty("count").GetInt32());

        await api.DeclineAsync(requestId, "Safeguarding review still under way").ExpectAsync(200);

        Assert.Equal(0, (await api.OpenRequestsAsync()).GetProperty("count").GetInt32());
        Assert.Equal(JsonValueKind.Null, (await api.GetPortalAsync()).Body.GetProperty("accessRequest").ValueKind);
        var declined = (await api.GetHistoryAsync()).GetProperty("entries").EnumerateArray().Last();
        Assert.Equal(("AccessRequestDeclined", "dr-a", "Safeguarding review still under way"), (declined.GetProperty("type").GetString(),
            declined.GetProperty("actor").GetString(), declined.GetProperty("details").GetProperty("reason").GetString()));
        var broadcast = await servers.Messages.WaitForAsync<AccessRequestDeclined>(e => e.RequestId == requestId);
        Assert.Equal("dr-a", broadcast.DeclinedBy);
        var tell = await servers.Messages.WaitForAsync<DeliverAccessRequestDeclined>(c => c.RequestId == requestId);
        Assert.Equal(("ada@example.org", "Ada"), (tell.Email, tell.FirstName));
        Assert.DoesNotContain(servers.Messages.RawBodies, body => body.Contains("Safeguarding", StringComparison.Ordinal));
        Assert.Contains(servers.Messages.RawBodies, body => body.Contains(requestId.ToString(), StringComparison.Ordinal));
        await api.DeclineAsync(requestId, "again").ExpectProblemAsync(404);
    }

    [Fact]
    public async Task Re_inviting_answers_the_open_request()
    {
        var (api, practice) = await GivenARevokedPatientAsync();
        await RequestAsync(practice, api.PatientId);
        var requestId = (await SingleOpenRequestAsync(api)).GetProperty("requestId").GetGuid();

        var invitationId = (await api.InviteAsync().ExpectAsync(201)).GetProperty("invitationId").GetGuid();

        Assert.Equal(0, (await api.OpenRequestsAsync()).GetProperty("count").GetInt32());
        var approved = await servers.Messages.WaitForAsync<AccessRequestApproved>(e => e.RequestId == requestId);
        Assert.Equal((invitationId, "dr-a", AccessRequestKind.Restore), (approved.InvitationId, approved.ApprovedBy, approved.Kind));
        Assert.Equal(["AccessRequested", "InvitationIssued", "AccessRequestApproved"], (await HistoryTypesAsync(api))[^3..]);
    }

    [Fact]
    public async Task A_harm_based_revocation_without_its_basis_is_refused_naming_the_field_and_changes_nothing()
    {
        var api = new StaffApi(servers.ClientFor(Guid.NewGuid(), "provider", "dr-a"), $"P-{Guid.NewGuid():N}"[..12]);
        await api.RecordDemographicsAsync().ExpectAsync(200);
        await api.InviteAsync().ExpectAsync(201);
        var before = await api.GetPortalAsync();

        await api.RevokeAsync("PreventingHarm").ExpectProblemAsync(400, "decidingClinicianId");
        await api.RevokeAsync("PreventingHarm", harm: new { decidingClinicianId = "dr-a", decidingClinicianName = "Dr A", basis = "Vibes", scope = "Patient" })
            .ExpectProblemAsync(400, "basis");
        await api.RevokeAsync("PreventingHarm", harm: new { decidingClinicianId = "dr-a", decidingClinicianName = "Dr A", basis = "EndangersLifeOrSafety" })
            .ExpectProblemAsync(400, "scope");
        await api.RevokeAsync("Privacy", harm: new { basis = "EndangersLifeOrSafety" }).ExpectProblemAsync(400, "basis");

        var after = await api.GetPortalAsync();
        Assert.Equal((before.Version, "Invited"), (after.Version, after.Status));
    }

    [Fact]
    public async Task A_review_of_a_harm_based_revocation_is_refused_to_the_revoking_provider_and_decided_by_another()
    {
        var (api, practice) = await GivenARevokedPatientAsync(reason: "PreventingHarm", harm: HarmByDrA);
        var revoked = await servers.Messages.WaitForAsync<AccessRevoked>(e => e.PatientId == api.PatientId);
        Assert.Equal(new HarmDetermination("dr-a", "Dr Alvarez", HarmBasis.EndangersLifeOrSafety, HarmScope.Patient), revoked.Harm);
        var revocation = (await api.GetHistoryAsync()).GetProperty("entries").EnumerateArray().Last().GetProperty("details");
        Assert.Equal(("Dr Alvarez", "EndangersLifeOrSafety", "Patient", "kept inside"), (revocation.GetProperty("decidingClinician").GetString(),
            revocation.GetProperty("basis").GetString(), revocation.GetProperty("scope").GetString(), revocation.GetProperty("note").GetString()));
        Assert.DoesNotContain("kept inside", JsonSerializer.Serialize(revoked));

        await RequestAsync(practice, api.PatientId);
        var request = await SingleOpenRequestAsync(api);
        var requestId = request.GetProperty("requestId").GetGuid();
        Assert.Equal(("Review", "Review request"), (request.GetProperty("kind").GetString(), request.GetProperty("kindText").GetString()));
        Assert.Equal("dr-a", (await servers.Messages.WaitForAsync<ReviewRequested>(e => e.RequestId == requestId)).RevokedBy);

        // The revoking provider may neither re-invite nor decline; nor may a non-provider decide a review.
        var refused = await api.InviteAsync().ExpectProblemAsync(403);
        Assert.Contains("different provider", refused.GetProperty("detail").GetString());
        await api.DeclineAsync(requestId, "I stand by it").ExpectProblemAsync(403);
        var clerk = new StaffApi(servers.ClientFor(practice, "staff", "sam"), api.PatientId);
        await clerk.InviteAsync().ExpectProblemAsync(403);
        Assert.Equal(1, (await api.OpenRequestsAsync()).GetProperty("count").GetInt32());

        // Another provider re-invites: the review is answered.
        var reviewer = new StaffApi(servers.ClientFor(practice, "provider", "dr-b"), api.PatientId);
        var invitationId = (await reviewer.InviteAsync().ExpectAsync(201)).GetProperty("invitationId").GetGuid();
        var approved = await servers.Messages.WaitForAsync<AccessRequestApproved>(e => e.RequestId == requestId);
        Assert.Equal((invitationId, "dr-b", AccessRequestKind.Review), (approved.InvitationId, approved.ApprovedBy, approved.Kind));
    }
}
