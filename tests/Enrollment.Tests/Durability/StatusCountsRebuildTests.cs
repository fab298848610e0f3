using System.Text.Json;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PortalPlatform.Enrollment.Dashboard;
using PortalPlatform.Enrollment.PortalAccess;
using PortalPlatform.Enrollment.Tests.Infrastructure;

namespace PortalPlatform.Enrollment.Tests.Durability;

/// <summary>
/// A rebuild suspends the dashboard's counts (its writes are not counted one statement at a time) and they are resumed
/// by one count of every row: commands that run while they are suspended and while they resume are counted exactly once.
/// </summary>
public sealed class StatusCountsRebuildTests(EnrollmentServers servers) : IClassFixture<EnrollmentServers>
{
    [Fact]
    public async Task Commands_during_a_rebuilds_suspension_and_racing_its_resume_are_counted_once()
    {
        // Given a practice of 30 patients on record, 10 of them invited
        var practice = Guid.NewGuid();
        var http = servers.ClientFor(practice, "admin");
        var patients = Enumerable.Range(0, 30).Select(i => new StaffApi(http, $"C-{i:D2}")).ToArray();
        foreach (var api in patients)
        {
            await api.RecordDemographicsAsync().ExpectAsync(200);
        }

        foreach (var api in patients[..10])
        {
            await api.InviteAsync().ExpectAsync(201);
        }

        // When the projection is rebuilt (the counts are suspended: what follows takes the path under test)
        var store = servers.Service.Services.GetRequiredService<IDocumentStore>();
        var daemon = servers.Service.Services.GetRequiredService<IProjectionCoordinator>().DaemonForMainDatabase();
        await daemon.RebuildProjectionAsync(typeof(PortalAccessProjection), TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.True(await IsSuspendedAsync(store));

        // and 10 more are invited while the counts are suspended, and the last 10 at the same time as they resume
        foreach (var api in patients[10..20])
        {
            await api.InviteAsync().ExpectAsync(201);
        }

        var racing = patients[20..].Select(Task (api) => api.InviteAsync().ExpectAsync(201)).ToList();
        racing.Add(StatusCounts.ResumeAsync(store));
        await Task.WhenAll(racing);

        // Then the counts (resumed before this read, not by it) say all 30 are invited, as the rows do
        Assert.False(await IsSuspendedAsync(store));
        var dashboard = JsonDocument.Parse(await http.GetStringAsync("/api/practice/portal-statuses?pageSize=50")).RootElement;
        Assert.Equal((30, 0, 30), (
            dashboard.GetProperty("counts").GetProperty("Invited").GetInt32(),
            dashboard.GetProperty("counts").GetProperty("NotInvited").GetInt32(),
            dashboard.GetProperty("total").GetInt32()));
        Assert.Equal(30, dashboard.GetProperty("patients").GetArrayLength());
        Assert.All(dashboard.GetProperty("patients").EnumerateArray(), p => Assert.Equal("Invitation sent", p.GetProperty("statusText").GetString()));
    }

    private static async Task<bool> IsSuspendedAsync(IDocumentStore store)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand($"select exists (select from {StatusCounts.SuspendedTableIn(store.Options.DatabaseSchemaName)})", connection);
        return (bool)(await read.ExecuteScalarAsync())!;
    }
}
