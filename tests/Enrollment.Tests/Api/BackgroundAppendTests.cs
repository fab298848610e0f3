using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PortalPlatform.Enrollment.Expiring;
using PortalPlatform.Enrollment.Tests.Infrastructure;

namespace PortalPlatform.Enrollment.Tests.Api;

/// <summary>Staff commands racing the service's own appends (the expiry sweep), in their own class because the clock moves.</summary>
public sealed class BackgroundAppendTests(EnrollmentServers servers) : IClassFixture<EnrollmentServers>
{
    [Fact]
    public async Task Revocations_without_If_Match_racing_the_expiry_sweep_all_succeed_and_apply_once()
    {
        // Given invited patients whose invitations are past their lifetime
        var http = servers.ClientFor(Guid.NewGuid(), "admin");
        var patients = Enumerable.Range(0, 20).Select(i => new StaffApi(http, $"BG-{i}")).ToArray();
        foreach (var api in patients)
        {
            await api.RecordDemographicsAsync().ExpectAsync(200);
            await api.InviteAsync().ExpectAsync(201);
        }

        servers.Clock.Advance(TimeSpan.FromDays(15));
        var job = servers.Service.Services.GetServices<IHostedService>().OfType<InvitationExpiryJob>().Single();

        // When the sweep expires them while staff revoke each one without If-Match
        var sweep = job.SweepAsync(CancellationToken.None);
        var answers = await Task.WhenAll(patients.Select(api => api.RevokeAsync("PatientRequest")));
        await sweep;

        // Then no revocation was refused for the race: each was decided on whatever state it met, exactly once
        Assert.All(answers, answer => Assert.True(answer.IsSuccessStatusCode, $"revocation answered {(int)answer.StatusCode}"));
        foreach (var api in patients)
        {
            Assert.Equal("AccessRevoked", (await api.GetPortalAsync()).Status);
            var types = (await api.GetHistoryAsync()).GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
            Assert.Single(types, t => t == "AccessRevoked");
            Assert.True(types.Count(t => t == "InvitationExpired") <= 1);
        }
    }
}
