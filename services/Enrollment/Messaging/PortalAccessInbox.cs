using Marten;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.PortalAccess;
using PortalPlatform.Enrollment.Settings;
using PortalPlatform.ServiceDefaults.EventStore;

namespace PortalPlatform.Enrollment.Messaging;

/// <summary>
/// Applies one incoming message exactly once: the effect and the inbox row commit together, a redelivery finds the
/// row and does nothing, and a concurrent append makes MassTransit retry on fresh state.
/// </summary>
public sealed class PortalAccessInbox(IDocumentStore store, TimeProvider clock)
{
    public async Task ApplyAsync(string consumer, IIntegrationEvent message, Func<IDocumentSession, Task> effect, CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        if (await session.AlreadyProcessedAsync(consumer, message.EventId, cancellationToken))
        {
            return;
        }

        await effect(session);
        await session.SaveChangesOnceAsync(consumer, message.EventId, clock, cancellationToken);
    }

    /// <summary>Decides a command on the message's patient stream.</summary>
    public Task ApplyAsync(string consumer, IIntegrationEvent message, Func<PracticePortalSettings, PortalAccessCommand> command, CancellationToken cancellationToken) =>
        ApplyAsync(consumer, message,
            session => PortalAccessStream.DecideAsync(session, message.PracticeId, message.PatientId, expectedVersion: null, command, cancellationToken),
            cancellationToken);

    public DateTimeOffset Now => clock.GetUtcNow();
}
