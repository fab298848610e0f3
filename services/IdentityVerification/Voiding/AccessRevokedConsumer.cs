using Marten;
using MassTransit;
using PortalPlatform.Contracts;
using PortalPlatform.IdentityVerification.Accounts;
using PortalPlatform.IdentityVerification.Registrations;
using PortalPlatform.IdentityVerification.SigningIn;
using PortalPlatform.ServiceDefaults.EventStore;

namespace PortalPlatform.IdentityVerification.Voiding;

/// <summary>
/// Staff revoked the patient's access: pending registrations are voided, the account's link to the practice stops
/// working and the account's sessions end. Only what existed before the revocation is touched, so a re-invitation
/// that overtook this event is left alone.
/// </summary>
public sealed class AccessRevokedConsumer(IDocumentSession session, TimeProvider clock, ILogger<AccessRevokedConsumer> logger) : IConsumer<AccessRevoked>
{
    private const string Name = "access-revoked";

    public async Task Consume(ConsumeContext<AccessRevoked> context)
    {
        var revoked = context.Message;
        var cancellationToken = context.CancellationToken;
        if (await session.AlreadyProcessedAsync(Name, revoked.EventId, cancellationToken))
        {
            return;
        }

        var now = clock.GetUtcNow();
        var registrations = await session.Query<Registration>()
            .Where(r => r.PracticeId == revoked.PracticeId && r.PatientId == revoked.PatientId)
            .ToListAsync(cancellationToken);
        foreach (var registration in registrations.Where(r => r.IsPending && r.OpenedAt <= revoked.OccurredAt))
        {
            session.Events.Append(registration.Id, new RegistrationVoided(registration.Id, "access-revoked", now));
        }

        var accounts = await session.Query<Account>()
            .Where(a => a.Links.Any(l => l.PracticeId == revoked.PracticeId && l.PatientId == revoked.PatientId))
            .ToListAsync(cancellationToken);
        foreach (var account in accounts)
        {
            if (account.Revoke(revoked.PracticeId, revoked.PatientId, revoked.OccurredAt))
            {
                session.Store(account);
                var sessions = await session.Query<PatientSession>()
                    .Where(s => s.AccountId == account.Id && s.EndedAt == null)
                    .ToListAsync(cancellationToken);
                foreach (var patientSession in sessions)
                {
                    patientSession.EndedAt = now;
                    session.Store(patientSession);
                }
            }
        }

        if (await session.SaveChangesOnceAsync(Name, revoked.EventId, clock, cancellationToken))
        {
            logger.LogInformation("Access revoked at practice {PracticeId}: {Accounts} account link(s) ended", revoked.PracticeId, accounts.Count);
        }
    }
}
