using System.ComponentModel.DataAnnotations;
using Marten;
using Microsoft.Extensions.Options;
using PortalPlatform.ServiceDefaults.EventStore;
using PortalPlatform.Enrollment.PortalAccess;

namespace PortalPlatform.Enrollment.Expiring;

/// <summary>How often the expiry job looks for invitations past their lifetime (section <c>InvitationExpiry</c>).</summary>
public sealed class InvitationExpiryOptions
{
    public const string Section = "InvitationExpiry";

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Expires invitations on time without anyone asking: every sweep finds Invited patients whose invitation is past
/// its expiry and appends InvitationExpired with the usual version check (a concurrent re-invite wins; the next
/// sweep looks again). One replica sweeps at a time (<see cref="ExclusiveJobLock"/>); the others skip that round.
/// Time comes from <see cref="TimeProvider"/>, so tests drive it with a fake clock.
/// </summary>
public sealed class InvitationExpiryJob(
    IDocumentStore store, ExclusiveJobLock jobLock, TimeProvider clock, IOptions<InvitationExpiryOptions> options, ILogger<InvitationExpiryJob> logger)
    : PeriodicExclusiveJob(jobLock, clock, logger)
{
    public const string JobName = "enrollment:invitation-expiry";

    protected override string Name => JobName;

    protected override TimeSpan Interval => options.Value.SweepInterval;

    protected override Task RoundAsync(CancellationToken cancellationToken) => SweepAsync(cancellationToken);

    /// <summary>Expires every invitation that is due now; returns how many (none when another replica is sweeping).</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var expired = 0;
        await ExclusivelyAsync(async token => expired = await ExpireDueAsync(token), cancellationToken);
        return expired;
    }

    private async Task<int> ExpireDueAsync(CancellationToken cancellationToken)
    {
        var now = Clock.GetUtcNow();
        IReadOnlyList<PortalAccessState> due;
        await using (var query = store.QuerySession())
        {
            due = await query.Query<PortalAccessState>()
                .Where(v => v.PendingInvitationExpiresAt != null && v.PendingInvitationExpiresAt <= now)
                .Take(500)
                .ToListAsync(cancellationToken);
        }

        var expired = 0;
        foreach (var state in due)
        {
            await using var session = store.LightweightSession();
            var outcome = await PortalAccessStream.DecideAsync(session, state.PracticeId, state.PatientId, expectedVersion: null,
                _ => new ExpireInvitation(state.Invitation!.Id, now), cancellationToken);
            try
            {
                await session.SaveChangesAsync(cancellationToken);
                expired += outcome.Decision.Events.Count;
            }
            catch (Exception ex) when (PortalAccessStream.IsConcurrencyConflict(ex))
            {
                Logger.LogInformation("Stream of an expiring invitation changed concurrently; the next sweep decides again");
            }
        }

        return expired;
    }
}
