using Marten;
using MassTransit;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.PortalAccess;
using PortalPlatform.Enrollment.Settings;
using PortalPlatform.ServiceDefaults.EventStore;

namespace PortalPlatform.Enrollment.Messaging;

/// <summary>
/// Applies one incoming message to a patient's stream exactly once: the appended events and the inbox row commit
/// together, a redelivery finds the row and does nothing, and a concurrent append makes MassTransit retry.
/// </summary>
public sealed class PortalAccessInbox(IDocumentStore store, TimeProvider clock)
{
    public async Task ApplyAsync(
        string consumer, IIntegrationEvent message, Func<IDocumentSession, Task<Func<PortalAccessState, PortalAccessCommand>>> command,
        CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        if (await session.AlreadyProcessedAsync(consumer, message.EventId, cancellationToken))
        {
            return;
        }

        var decide = await command(session);
        await PortalAccessStream.DecideAsync(session, message.PracticeId, message.PatientId, expectedVersion: null, decide, cancellationToken);
        await session.SaveChangesOnceAsync(consumer, message.EventId, clock, cancellationToken);
    }

    public Task ApplyAsync(string consumer, IIntegrationEvent message, Func<PortalAccessState, PortalAccessCommand> command, CancellationToken cancellationToken) =>
        ApplyAsync(consumer, message, _ => Task.FromResult(command), cancellationToken);

    public DateTimeOffset Now => clock.GetUtcNow();
}

/// <summary>Notification delivered the invitation on one channel: shown beside "Invitation sent".</summary>
public sealed class InviteDeliveredConsumer(PortalAccessInbox inbox) : IConsumer<InviteDelivered>
{
    public Task Consume(ConsumeContext<InviteDelivered> context)
    {
        var m = context.Message;
        return inbox.ApplyAsync(nameof(InviteDeliveredConsumer), m,
            _ => new RecordDelivery(m.InvitationId, m.DeliveryId, m.Channel, Delivered: true, null, false, m.OccurredAt), context.CancellationToken);
    }
}

/// <summary>Notification could not deliver the invitation on one channel.</summary>
public sealed class InviteDeliveryFailedConsumer(PortalAccessInbox inbox) : IConsumer<InviteDeliveryFailed>
{
    public Task Consume(ConsumeContext<InviteDeliveryFailed> context)
    {
        var m = context.Message;
        return inbox.ApplyAsync(nameof(InviteDeliveryFailedConsumer), m,
            _ => new RecordDelivery(m.InvitationId, m.DeliveryId, m.Channel, Delivered: false, m.Reason, m.Permanent, m.OccurredAt), context.CancellationToken);
    }
}

/// <summary>Identity-Verification locked the registration after too many failed checks.</summary>
public sealed class IdentityVerificationLockedConsumer(PortalAccessInbox inbox) : IConsumer<IdentityVerificationLocked>
{
    public Task Consume(ConsumeContext<IdentityVerificationLocked> context)
    {
        var m = context.Message;
        return inbox.ApplyAsync(nameof(IdentityVerificationLockedConsumer), m,
            _ => new LockVerification(m.InvitationId, m.FailedAttempts, m.OccurredAt), context.CancellationToken);
    }
}

/// <summary>The patient (or a caregiver) finished registration: enrolled, or proxy access granted.</summary>
public sealed class RegistrationCompletedConsumer(PortalAccessInbox inbox) : IConsumer<PortalPlatform.Contracts.RegistrationCompleted>
{
    public Task Consume(ConsumeContext<PortalPlatform.Contracts.RegistrationCompleted> context)
    {
        var m = context.Message;
        return inbox.ApplyAsync(nameof(RegistrationCompletedConsumer), m,
            _ => new CompleteRegistration(m.InvitationId, m.AccountId, m.OccurredAt), context.CancellationToken);
    }
}

/// <summary>A provider signed an encounter: the practice's auto-invite rule may invite the patient.</summary>
public sealed class EncounterSignedConsumer(PortalAccessInbox inbox) : IConsumer<EncounterSigned>
{
    public Task Consume(ConsumeContext<EncounterSigned> context)
    {
        var m = context.Message;

        // The invitation id derives from the event, so a redelivery after a crash decides the same invitation.
        var invitationId = ServiceDefaults.DeterministicGuid.Create(m.EventId, "auto-invite");
        return inbox.ApplyAsync(nameof(EncounterSignedConsumer), m, async session =>
        {
            var settings = await PracticeSettingsStore.LoadAsync(session, m.PracticeId, context.CancellationToken);
            var now = inbox.Now;
            return _ => new AutoInvitePatient(invitationId, settings, now);
        }, context.CancellationToken);
    }
}
