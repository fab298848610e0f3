using System.Text.Json;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.PortalAccess;
using PortalPlatform.Enrollment.Tests.Infrastructure;

namespace PortalPlatform.Enrollment.Tests.Durability;

/// <summary>The portal access documents (chart, dashboard rows) are a projection: wiped and rebuilt from the events alone, they come back identical.</summary>
public sealed class ProjectionRebuildTests(EnrollmentServers servers) : IClassFixture<EnrollmentServers>
{
    [Fact]
    public async Task Rebuilding_every_projection_from_the_events_gives_the_same_read_models()
    {
        // Given a practice whose patients went through several statuses
        var practice = Guid.NewGuid();
        var http = servers.ClientFor(practice, "admin");
        var patients = new[] { "R-1", "R-2", "R-3", "R-4" }.Select(id => new StaffApi(http, id)).ToArray();
        foreach (var api in patients)
        {
            await api.RecordDemographicsAsync().ExpectAsync(200);
        }

        var invitation = (await patients[1].InviteAsync().ExpectAsync(201)).GetProperty("invitationId").GetGuid();
        await servers.Messages.PublishAsync(new InviteDelivered(Guid.NewGuid(), practice, "R-2", DateTimeOffset.UtcNow, invitation, Guid.NewGuid(), DeliveryChannel.Sms));
        await servers.Messages.PublishAsync(new RegistrationCompleted(Guid.NewGuid(), practice, "R-2", DateTimeOffset.UtcNow, invitation, Guid.NewGuid(), Guid.NewGuid(), false));
        await Eventually.TrueAsync(async () => (await patients[1].GetPortalAsync()).Status == "Enrolled");
        await patients[1].RevokeAsync("Deceased", "family informed us").ExpectAsync(200);
        await patients[2].InviteAsync(new { email = "other@example.org" }).ExpectAsync(201);
        var cancelled = (await patients[3].InviteAsync().ExpectAsync(201)).GetProperty("invitationId").GetGuid();
        await patients[3].CancelInvitationAsync(cancelled).ExpectAsync(200);

        var store = servers.Service.Services.GetRequiredService<IDocumentStore>();
        var daemon = servers.Service.Services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase();
        var before = await SnapshotAsync(store, http, practice, patients);
        Assert.Contains("\"Status\":5", before); // R-2 is AccessRevoked in the snapshot, so the comparison below is not of empty models

        // When the read models are wiped and rebuilt from the events
        await using (var session = store.LightweightSession())
        {
            session.DeleteWhere<PortalAccessState>(_ => true);
            await session.SaveChangesAsync();
        }

        var wiped = await SnapshotAsync(store, http, practice, patients);
        Assert.DoesNotContain("\"Status\":5", wiped);
        Assert.Contains("\"total\":0", wiped);
        await daemon.RebuildProjectionAsync(typeof(PortalAccessProjection), TimeSpan.FromMinutes(1), CancellationToken.None);

        // Then they are exactly what they were, and so is what the chart and the dashboard show
        Assert.Equal(before, await SnapshotAsync(store, http, practice, patients));
    }

    private static async Task<string> SnapshotAsync(IDocumentStore store, HttpClient http, Guid practice, IEnumerable<StaffApi> patients)
    {
        await using var query = store.QuerySession();
        // The dashboard's rows and its counts (kept by triggers on those rows: wiped and rebuilt with them).
        var models = new List<object?> { JsonDocument.Parse(await http.GetStringAsync("/api/practice/portal-statuses")).RootElement };
        foreach (var api in patients)
        {
            models.Add(await query.LoadAsync<PortalAccessState>(PortalAccessStream.IdOf(practice, api.PatientId)));
        }

        return JsonSerializer.Serialize(models);
    }
}
