using Marten;
using JasperFx;

namespace PortalPlatform.ServiceDefaults.EventStore;

/// <summary>The inbox: one row per message a consumer has applied, written in the same transaction as its effect.</summary>
public sealed record ProcessedMessage(string Id, DateTimeOffset ProcessedAt);

public static class Inbox
{
    /// <summary>True when <paramref name="consumer"/> already applied the message with this id.</summary>
    public static async Task<bool> AlreadyProcessedAsync(this IQuerySession session, string consumer, Guid messageId, CancellationToken cancellationToken)
        => await session.LoadAsync<ProcessedMessage>(KeyOf(consumer, messageId), cancellationToken) is not null;

    /// <summary>
    /// Records the message as processed and commits the session's changes with it. Returns false (and changes
    /// nothing) when a concurrent delivery of the same message got there first.
    /// </summary>
    public static async Task<bool> SaveChangesOnceAsync(this IDocumentSession session, string consumer, Guid messageId, TimeProvider clock, CancellationToken cancellationToken)
    {
        session.Insert(new ProcessedMessage(KeyOf(consumer, messageId), clock.GetUtcNow()));
        try
        {
            await session.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DocumentAlreadyExistsException)
        {
            return false;
        }
    }

    private static string KeyOf(string consumer, Guid messageId) => $"{consumer}:{messageId:N}";
}
