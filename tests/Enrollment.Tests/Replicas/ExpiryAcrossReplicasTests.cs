using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Expiring;
using PortalPlatform.Enrollment.Tests.Infrastructure;
using PortalPlatform.ServiceDefaults.EventStore;

namespace PortalPlatform.Enrollment.Tests.Replicas;

/// <summary>The expiry sweep on several replicas: one sweeps at a time, and each invitation expires once.</summary>
public sealed class ExpiryAcrossReplicasTests(EnrollmentServers servers) : IClassFixture<EnrollmentServers>
{
    [Fact]
    public async Task A_replica_skips_the_sweep_while_another_one_is_sweeping()
    {
        var api = await InvitedPatientAsync(Guid.NewGuid(), "EXP-LOCK");
        var job = servers.Service.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<InvitationExpiryJob>().Single();

        // While another replica holds the sweep's lock, a sweep here (and the job's own, woken by the clock) expires
        // nothing although the invitation is due
        // (not pooled: closing it ends the session, as a replica's death does)
        await using (var otherReplica = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(servers.DatabaseConnectionString) { Pooling = false }.ConnectionString))
        {
            await otherReplica.OpenAsync();
            await using var take = new NpgsqlCommand("SELECT pg_advisory_lock($1, $2)", otherReplica)
            {
                Parameters = { new() { Value = ExclusiveJobLock.JobLockSpace }, new() { Value = AdvisoryLocks.KeyOf(InvitationExpiryJob.JobName) } },
            };
            await take.ExecuteNonQueryAsync();
            servers.Clock.Advance(TimeSpan.FromDays(2));

            Assert.Equal(0, await job.SweepAsync(CancellationToken.None));
            Assert.Equal("Invited", (await api.GetPortalAsync()).Status);
        }

        // Once it let go (its session ended), the next sweep expires it
        await Eventually.TrueAsync(async () =>
        {
            await job.SweepAsync(CancellationToken.None);
            return (await api.GetPortalAsync()).Status == "InviteExpired";
        }, what: "expiry after the other replica let go");
    }

    [Fact]
    public async Task Two_replicas_sweeping_on_the_same_clock_expire_each_invitation_once()
    {
        await using var second = await servers.StartServiceAsync();
        var practice = Guid.NewGuid();
        var patients = new List<StaffApi>();
        for (var i = 1; i <= 6; i++)
        {
            patients.Add(await InvitedPatientAsync(practice, $"EXP-TWO-{i}"));
        }

        // When both replicas' sweeps come due together, again and again, past the lifetime
        servers.Clock.Advance(TimeSpan.FromDays(2));
        await Eventually.TrueAsync(async () =>
        {
            servers.Clock.Advance(TimeSpan.FromMinutes(1));
            foreach (var api in patients)
            {
                if ((await api.GetPortalAsync()).Status != "InviteExpired")
                {
                    return false;
                }
            }

            return true;
        }, TimeSpan.FromSeconds(60), "every invitation expired");

        // Then each history says "expired" once, and one InviteExpired per invitation left the service
        foreach (var api in patients)
        {
            var history = await api.GetHistoryAsync();
            Assert.Single(history.GetProperty("entries").EnumerateArray(), h => h.GetProperty("type").GetString() == "InvitationExpired");
        }

        await Eventually.TrueAsync(() => servers.Messages.Applied.Values.OfType<InviteExpired>().Count(e => e.PracticeId == practice) == patients.Count,
            what: "InviteExpired for each");
        Assert.Equal(patients.Count, servers.Messages.Deliveries.Count(d => d.Message is InviteExpired e && e.PracticeId == practice));
    }

    private async Task<StaffApi> InvitedPatientAsync(Guid practice, string patientId)
    {
        var api = new StaffApi(servers.ClientFor(practice, "admin"), patientId);
        await api.Http.PutAsJsonAsync("/api/practice/portal-settings", new { autoInvite = false, whoCanInvite = "AllUsers", invitationLifetimeDays = 1 }).ExpectAsync(200);
        await api.RecordDemographicsAsync().ExpectAsync(200);
        await api.InviteAsync().ExpectAsync(201);
        return api;
    }
}
