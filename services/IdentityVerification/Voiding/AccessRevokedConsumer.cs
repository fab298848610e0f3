using Marten;
using MassTransit;
using PortalPlatform.Contracts;
using PortalPlatform.IdentityVerification.Accounts;
using PortalPlatform.IdentityVerification.Registrations;
using PortalPlatform.IdentityVerification.SigningIn;
using PortalPlatform.ServiceDefaults.EventStore;

namespace PortalPlatform.IdentityVerification.Voiding;

/// <summary>
/// Staff revoked the patient's access: pending registrations to the record are voided, accounts' links to it stop
/// working and those accounts' sessions end. Only what existed before the revocation is touched, so a re-invitation
/// that overtook this event is left alone.
/// </summary>
public sealed class AccessRevokedConsumer(IDocumentSession session, TimeProvider clock, ILogger<AccessRevokedConsumer> logger) : IConsumer<AccessRevoked>
{
    public async Task Consume(ConsumeContext<AccessRevoked> context)
    {
        var revoked = context.Message;
        var ended = await RecordAccess.EndAsync(session, clock, "access-revoked", revoked.EventId, revoked.PracticeId, revoked.PatientId, null,
            revoked.OccurredAt, context.CancellationToken);
        if (ended is { } accounts)
        {
            logger.LogInformation("Access revoked at practice {PracticeId}: {Accounts} account link(s) ended", revoked.PracticeId, accounts);
        }
    }
}

/// <summary>A caregiver's proxy access was withdrawn: the same, for that caregiver only.</summary>
public sealed class ProxyAccessRevokedConsumer(IDocumentSession session, TimeProvider clock) : IConsumer<ProxyAccessRevoked>
{
    public Task Consume(ConsumeContext<ProxyAccessRevoked> context)
    {
        var revoked = context.Message;
        return RecordAccess.EndAsync(session, clock, "proxy-access-revoked", revoked.EventId, revoked.PracticeId, revoked.PatientId, revoked.ProxyId,
            revoked.OccurredAt, context.CancellationToken);
    }
}

internal static class RecordAccess
{
    /// <summary>Ends access to a patient's record (everyone's, or one caregiver's); the number of accounts affected, or null for a duplicate.</summary>
    public static async Task<int?> EndAsync(
        IDocumentSession session, TimeProvider clock, string consumer, Guid messageId, Guid practiceId, string patientId, Guid? onlyProxyId,
        DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        if (await session.AlreadyProcessedAsync(consumer, messageId, cancellationToken))
        {
            return null;
        }

        var now = clock.GetUtcNow();
        var registrations = await session.Query<Registration>()
            .Where(r => r.PracticeId == practiceId && r.PatientId == patientId)
            .ToListAsync(cancellationToken);
        foreach (var registration in registrations.Where(r => r.IsPending && r.OpenedAt <= occurredAt && (onlyProxyId is null || r.ProxyId == onlyProxyId)))
        {
            session.Events.Append(registration.Id, new RegistrationVoided(registration.Id, consumer, now));
        }

        var accounts = await session.Query<Account>()
            .Where(a => a.Links.Any(l => l.PracticeId == practiceId && l.PatientId == patientId))
            .ToListAsync(cancellationToken);
        var affected = 0;
        foreach (var account in accounts.Where(a => a.Revoke(practiceId, patientId, occurredAt, onlyProxyId)))
        {
            affected++;
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

        return await session.SaveChangesOnceAsync(consumer, messageId, clock, cancellationToken) ? affected : null;
    }
}
