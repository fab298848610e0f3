using Marten;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.PortalAccess;
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
