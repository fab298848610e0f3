using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Tests.Infrastructure;

namespace PortalPlatform.Enrollment.Tests.Api;

/// <summary>Concurrency, permissions, tenant isolation, validation and idempotent consumption, over HTTP and RabbitMQ.</summary>
public sealed class RulesOverHttpTests(EnrollmentServers servers) : IClassFixture<EnrollmentServers>
{
    private async Task<(StaffApi Api, Guid Practice)> GivenAPatientAsync(string role = "admin", string? dateOfBirth = null)
    {
        var practice = Guid.NewGuid();
        var api = new StaffApi(servers.ClientFor(practice, role), $"P-{Guid.NewGuid():N}"[..12]);
        await api.RecordDemographicsAsync(dateOfBirth: dateOfBirth ?? "1980-12-10").ExpectAsync(200);
        return (api, practice);
    }

    [Fact]
    public async Task A_stale_if_match_gets_412_and_changes_nothing()
    {
        var (api, _) = await GivenAPatientAsync();
        var before = await api.GetPortalAsync();
        await api.InviteAsync().ExpectAsync(201);

        await api.InviteAsync(ifMatch: before.ETag).ExpectProblemAsync(412);
        await api.RevokeAsync("Other", ifMatch: before.ETag).ExpectProblemAsync(412);

        var after = await api.GetPortalAsync();
        Assert.Equal((2L, "\"2\""), (after.Version, after.ETag));
    }

    [Fact]
    public async Task Of_concurrent_conflicting_commands_on_the_same_version_exactly_one_applies()
    {
        var (api, _) = await GivenAPatientAsync();
        var etag = (await api.GetPortalAsync()).ETag;

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => api.InviteAsync(ifMatch: etag)));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.PreconditionFailed, r.StatusCode));
        var history = (await api.GetHistoryAsync()).GetProperty("entries");
        Assert.Equal(1, history.EnumerateArray().Count(e => e.GetProperty("type").GetString() == "InvitationIssued"));
    }

    [Fact]
    public async Task Concurrent_commands_without_if_match_never_both_apply_either()
    {
        var (api, practice) = await GivenAPatientAsync();
        var invitationId = (await api.InviteAsync().ExpectAsync(201)).GetProperty("invitationId").GetGuid();
        await servers.Messages.PublishAsync(new RegistrationCompleted(Guid.NewGuid(), practice, api.PatientId, DateTimeOffset.UtcNow, invitationId, Guid.NewGuid(), Guid.NewGuid(), false));
        await Eventually.TrueAsync(async () => (await api.GetPortalAsync()).Status == "Enrolled");

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => api.RevokeAsync("Security")));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.Equal(1, (await api.GetHistoryAsync()).GetProperty("entries").EnumerateArray().Count(e => e.GetProperty("type").GetString() == "AccessRevoked"));
    }

    [Fact]
    public async Task Staff_may_not_revoke_and_may_not_invite_when_the_practice_says_admins_only()
    {
        var (admin, practice) = await GivenAPatientAsync();
        var staff = new StaffApi(servers.ClientFor(practice, "staff", "u-clerk"), admin.PatientId);
        await admin.Http.PutAsJsonAsync("/api/practice/portal-settings", new { autoInvite = false, whoCanInvite = "AdminsOnly", invitationLifetimeDays = 14, practiceName = "Northside" }).ExpectAsync(200);

        await staff.InviteAsync().ExpectProblemAsync(403);
        await staff.Http.PutAsJsonAsync("/api/practice/portal-settings", new { autoInvite = true, whoCanInvite = "AllUsers", invitationLifetimeDays = 14 }).ExpectProblemAsync(403);
        await admin.InviteAsync().ExpectAsync(201);
        await staff.RevokeAsync("Other").ExpectProblemAsync(403);

        Assert.Equal("Invited", (await admin.GetPortalAsync()).Status);
        var settings = await staff.Http.GetFromJsonAsync<JsonElement>("/api/practice/portal-settings");
        Assert.Equal(("AdminsOnly", "Northside"), (settings.GetProperty("whoCanInvite").GetString(), settings.GetProperty("practiceName").GetString()));
    }

    [Fact]
    public async Task Another_practices_patient_is_indistinguishable_from_a_missing_one()
    {
        var (api, _) = await GivenAPatientAsync();
        var stranger = new StaffApi(servers.ClientFor(Guid.NewGuid(), "admin"), api.PatientId);
        var nobody = new StaffApi(servers.ClientFor(Guid.NewGuid(), "admin"), "NO-SUCH-PATIENT");

        foreach (var client in new[] { stranger, nobody })
        {
            var missing = await client.Http.GetAsync($"/api/patients/{client.PatientId}/portal").ExpectProblemAsync(404);
            await client.InviteAsync().ExpectProblemAsync(404);
            await client.RevokeAsync("Other").ExpectProblemAsync(404);
            await client.Http.GetAsync($"/api/patients/{client.PatientId}").ExpectProblemAsync(404);
            await client.Http.GetAsync($"/api/patients/{client.PatientId}/portal/history").ExpectProblemAsync(404);
            Assert.Equal("No such patient.", missing.GetProperty("detail").GetString());
        }

        Assert.Equal(1, (await api.GetPortalAsync()).Version);
    }

    [Fact]
    public async Task Requests_without_a_staff_token_are_refused_with_a_problem()
    {
        var anonymous = servers.Service.CreateClient();

        await anonymous.GetAsync("/api/patients/P-1/portal").ExpectProblemAsync(401);
    }

    [Fact]
    public async Task Bad_input_gets_a_400_problem_naming_the_field_and_changes_nothing()
    {
        var (api, _) = await GivenAPatientAsync();

        await api.RevokeAsync("BecauseISaidSo").ExpectProblemAsync(400, "reason");
        await api.InviteAsync(new { email = "not-an-email" }).ExpectProblemAsync(400, "email");
        await api.InviteAsync(new { phone = "call me" }).ExpectProblemAsync(400, "phone");
        await api.Http.PutAsJsonAsync($"/api/patients/{api.PatientId}", new { firstName = "", lastName = "L", dateOfBirth = "1980-01-01" }).ExpectProblemAsync(400, "firstName");
        await api.Http.PutAsJsonAsync($"/api/patients/{api.PatientId}", new { firstName = "A", lastName = "L", dateOfBirth = "2999-01-01" }).ExpectProblemAsync(400, "dateOfBirth");
        await api.Http.GetAsync("/api/patients/bad%20id!/portal").ExpectProblemAsync(400, "patientId");
        await api.Http.GetAsync($"/api/patients/{new string('x', 65)}/portal").ExpectProblemAsync(400, "patientId");
        await api.Http.PutAsJsonAsync("/api/practice/portal-settings", new { autoInvite = true, whoCanInvite = "Everyone", invitationLifetimeDays = 0 }).ExpectProblemAsync(400, "whoCanInvite");
        await api.Http.GetAsync("/api/practice/portal-statuses?status=Sleeping").ExpectProblemAsync(400, "status");

        var portal = await api.GetPortalAsync();
        Assert.Equal((1L, "NotInvited", "ada@example.org"), (portal.Version, portal.Status, portal.Body.GetProperty("email").GetString()));
    }

    [Fact]
    public async Task Phone_numbers_follow_the_one_platform_rule_and_are_kept_in_E164()
    {
        var (api, _) = await GivenAPatientAsync();

        // Numbers the SMS sender would refuse are refused at input, naming the field, wherever staff or the EHR type one.
        await api.RecordDemographicsAsync(phone: "+15550100").ExpectProblemAsync(400, "phone");
        await api.RecordDemographicsAsync(phone: "(555) 123-4567").ExpectProblemAsync(400, "phone");
        await api.InviteAsync(new { phone = "+15555550123" }).ExpectProblemAsync(400, "phone");
        await api.InviteProxyAsync(new { firstName = "Grace", lastName = "Hopper", dateOfBirth = "1960-01-01", relationship = "Daughter", phone = "+1 555 0100" })
            .ExpectProblemAsync(400, "phone");
        var refused = await api.GetPortalAsync();
        Assert.Equal((1L, "+12015550100"), (refused.Version, refused.Body.GetProperty("phone").GetString()));

        // Valid numbers as people type them are stored, invited and shown in E.164.
        await api.RecordDemographicsAsync(phone: "(202) 555-0143").ExpectAsync(200);
        Assert.Equal("+12025550143", (await api.GetPortalAsync()).Body.GetProperty("phone").GetString());
        await api.InviteAsync(new { phone = "+44 20 7946 0123" }).ExpectAsync(201);
        var invited = await api.GetPortalAsync();
        Assert.Equal("+442079460123", invited.Body.GetProperty("invitation").GetProperty("phone").GetString());
        await api.InviteProxyAsync(new { firstName = "Grace", lastName = "Hopper", dateOfBirth = "1960-01-01", relationship = "Daughter", phone = "212.555.0101" })
            .ExpectAsync(201);
        var proxies = await api.Http.GetFromJsonAsync<JsonElement>($"/api/patients/{api.PatientId}/portal/proxies");
        Assert.Equal("+12125550101", proxies.EnumerateArray().Single().GetProperty("phone").GetString());
    }

    [Fact]
    public async Task Redelivered_events_are_applied_once()
    {
        var (api, practice) = await GivenAPatientAsync();
        var invitationId = (await api.InviteAsync().ExpectAsync(201)).GetProperty("invitationId").GetGuid();
        var delivered = new InviteDelivered(Guid.NewGuid(), practice, api.PatientId, DateTimeOffset.UtcNow, invitationId, Guid.NewGuid(), DeliveryChannel.Email);
        var completed = new RegistrationCompleted(Guid.NewGuid(), practice, api.PatientId, DateTimeOffset.UtcNow, invitationId, Guid.NewGuid(), Guid.NewGuid(), false);

        await Task.WhenAll(servers.Messages.PublishAsync(delivered), servers.Messages.PublishAsync(delivered), servers.Messages.PublishAsync(delivered));
        await Eventually.TrueAsync(async () => await InboxHasAsync(delivered.EventId), what: "delivery consumed");
        await servers.Messages.PublishAsync(completed);
        await servers.Messages.PublishAsync(completed);
        await Eventually.TrueAsync(async () => (await api.GetPortalAsync()).Status == "Enrolled");
        await servers.Messages.PublishAsync(completed);

        // The last redelivery was published after enrolment; wait until it has surely been consumed (the marker goes behind it on the same queue).
        var marker = new RegistrationCompleted(Guid.NewGuid(), practice, api.PatientId, DateTimeOffset.UtcNow, Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), false);
        await servers.Messages.PublishAsync(marker);
        await Eventually.TrueAsync(async () => await InboxHasAsync(marker.EventId), what: "marker consumed");
        var types = (await api.GetHistoryAsync()).GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal(["DemographicsRecorded", "InvitationIssued", "InvitationDelivered", "RegistrationCompleted"], types);
    }

    private async Task<bool> InboxHasAsync(Guid eventId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(servers.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM enrollment.mt_doc_processedmessage WHERE id LIKE '%' || @id", connection);
        command.Parameters.AddWithValue("id", eventId.ToString("N"));
        try
        {
            return (long)(await command.ExecuteScalarAsync())! > 0;
        }
        catch (Npgsql.PostgresException ex) when (ex.SqlState == Npgsql.PostgresErrorCodes.UndefinedTable)
        {
            // Marten creates the inbox table with the first message it records: nothing consumed yet.
            return false;
        }
    }

    [Fact]
    public async Task Auto_invite_invites_an_adult_with_email_and_phone_after_a_signed_encounter_once()
    {
        var (adult, practice) = await GivenAPatientAsync();
        var minor = new StaffApi(adult.Http, "MINOR-1");
        await minor.RecordDemographicsAsync(dateOfBirth: DateOnly.FromDateTime(DateTime.UtcNow).AddYears(-17).ToString("yyyy-MM-dd")).ExpectAsync(200);
        await adult.Http.PutAsJsonAsync("/api/practice/portal-settings", new { autoInvite = true, whoCanInvite = "AllUsers", invitationLifetimeDays = 14 }).ExpectAsync(200);
        var signed = new EncounterSigned(Guid.NewGuid(), practice, adult.PatientId, DateTimeOffset.UtcNow, Guid.NewGuid(), "dr-who");

        await servers.Messages.PublishAsync(signed);
        await servers.Messages.PublishAsync(signed);
        await servers.Messages.PublishAsync(new EncounterSigned(Guid.NewGuid(), practice, minor.PatientId, DateTimeOffset.UtcNow, Guid.NewGuid(), "dr-who"));

        var issued = await servers.Messages.WaitForAsync<InviteIssued>(e => e.PatientId == adult.PatientId && e.PracticeId == practice);
        Assert.Equal("auto-invite", issued.IssuedBy);
        Assert.Equal("Invited", (await adult.GetPortalAsync()).Status);
        await servers.Messages.PublishAsync(new EncounterSigned(Guid.NewGuid(), practice, adult.PatientId, DateTimeOffset.UtcNow, Guid.NewGuid(), "dr-who"));
        var dashboard = await Eventually.GetAsync(async () =>
        {
            var d = await adult.Http.GetFromJsonAsync<JsonElement>("/api/practice/portal-statuses");
            return d.GetProperty("counts").GetProperty("Invited").GetInt32() == 1 && d.GetProperty("counts").GetProperty("NotInvited").GetInt32() == 1 ? (object)d : null;
        }, what: "dashboard counts");
        Assert.Equal("NotInvited", (await minor.GetPortalAsync()).Status);
        Assert.Single(servers.Messages.Received<InviteIssued>(), e => e.PatientId == adult.PatientId && e.PracticeId == practice);
        Assert.NotNull(dashboard);
    }

    [Fact]
    public async Task The_dashboard_lists_the_practices_patients_by_status()
    {
        var (first, practice) = await GivenAPatientAsync();
        var second = new StaffApi(first.Http, "SECOND-1");
        await second.RecordDemographicsAsync().ExpectAsync(200);
        await second.InviteAsync().ExpectAsync(201);

        var invited = await Eventually.GetAsync(async () =>
        {
            var d = await first.Http.GetFromJsonAsync<JsonElement>("/api/practice/portal-statuses?status=Invited");
            return d.GetProperty("patients").GetArrayLength() == 1 ? (object?)d : null;
        }, what: "dashboard");

        var body = (JsonElement)invited;
        Assert.Equal("SECOND-1", body.GetProperty("patients")[0].GetProperty("patientId").GetString());
        Assert.Equal("Invitation sent", body.GetProperty("patients")[0].GetProperty("statusText").GetString());
        Assert.Equal(1, body.GetProperty("counts").GetProperty("NotInvited").GetInt32());
    }

    [Fact]
    public async Task The_dashboard_pages_through_one_status_after_a_cursor_in_patient_id_order_with_counts_of_the_whole_practice()
    {
        var (first, _) = await GivenAPatientAsync();
        var ids = new[] { "pg-b", "pg-A", "pg-c", "pg-a", "pg-B" };
        foreach (var id in ids)
        {
            var api = new StaffApi(first.Http, id);
            await api.RecordDemographicsAsync().ExpectAsync(200);
            await api.InviteAsync().ExpectAsync(201);
        }

        var pages = new List<JsonElement> { await first.Http.GetFromJsonAsync<JsonElement>("/api/practice/portal-statuses?status=Invited&pageSize=2") };
        while (pages[^1].GetProperty("next").GetString() is { } next && pages.Count < 10)
        {
            pages.Add(await first.Http.GetFromJsonAsync<JsonElement>($"/api/practice/portal-statuses?status=Invited&pageSize=2&after={Uri.EscapeDataString(next)}"));
        }

        var listed = pages.SelectMany(p => p.GetProperty("patients").EnumerateArray().Select(e => e.GetProperty("patientId").GetString())).ToList();
        Assert.Equal(ids.Order(StringComparer.Ordinal), listed);
        Assert.Equal([2, 2, 1], pages.Select(p => p.GetProperty("patients").GetArrayLength()));
        Assert.All(pages, p => Assert.Equal((5, 1, 2), (p.GetProperty("total").GetInt32(), p.GetProperty("counts").GetProperty("NotInvited").GetInt32(), p.GetProperty("pageSize").GetInt32())));
        Assert.Equal(5, pages[0].GetProperty("counts").GetProperty("Invited").GetInt32());

        // The counts follow a status change at once (kept in the command's own transaction).
        await new StaffApi(first.Http, "pg-a").RevokeAsync("PatientRequest", null).ExpectAsync(200);
        var afterRevoke = await first.Http.GetFromJsonAsync<JsonElement>("/api/practice/portal-statuses?status=Invited");
        Assert.Equal((4, 1, 1), (afterRevoke.GetProperty("total").GetInt32(), afterRevoke.GetProperty("counts").GetProperty("AccessRevoked").GetInt32(), afterRevoke.GetProperty("counts").GetProperty("NotInvited").GetInt32()));
        Assert.DoesNotContain(afterRevoke.GetProperty("patients").EnumerateArray(), e => e.GetProperty("patientId").GetString() == "pg-a");

        await first.Http.GetAsync("/api/practice/portal-statuses?after=not-a-cursor!").ExpectProblemAsync(400, "after");
        await first.Http.GetAsync($"/api/practice/portal-statuses?after={Convert.ToBase64String("pg-a"u8)}").ExpectProblemAsync(400, "after");
        await first.Http.GetAsync("/api/practice/portal-statuses?pageSize=501").ExpectProblemAsync(400, "pageSize");
    }

    [Fact]
    public async Task The_openapi_document_describes_the_staff_api()
    {
        var document = await servers.Service.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/patients/{patientId}/portal/invitations", out _));
        Assert.True(paths.TryGetProperty("/api/practice/portal-statuses", out _));
    }
}
