using Marten;
using MassTransit;
using PortalPlatform.Contracts;
using PortalPlatform.Notification.Deliveries;
using PortalPlatform.ServiceDefaults.EventStore;

namespace PortalPlatform.Notification.Voiding;

/// <summary>Staff cancelled the invitation: its email and text are not sent any more.</summary>
public sealed class InviteCancelledConsumer(IDocumentSession session, TimeProvider clock) : IConsumer<InviteCancelled>
{
    public Task Consume(ConsumeContext<InviteCancelled> context) =>
        VoidInvitation.RunAsync(session, clock, "invite-cancelled", context.Message.EventId, context.Message.InvitationId, "cancelled", context.CancellationToken);
}

/// <summary>The invitation lapsed unused: a retry still waiting would send a dead link.</summary>
public sealed class InviteExpiredConsumer(IDocumentSession session, TimeProvider clock) : IConsumer<InviteExpired>
{
    public Task Consume(ConsumeContext<InviteExpired> context) =>
        VoidInvitation.RunAsync(session, clock, "invite-expired", context.Message.EventId, context.Message.InvitationId, "expired", context.CancellationToken);
}

/// <summary>A new invitation voids the one it replaces.</summary>
public sealed class InviteIssuedConsumer(IDocumentSession session, TimeProvider clock) : IConsumer<InviteIssued>
{
    public Task Consume(ConsumeContext<InviteIssued> context) => context.Message.ReplacesInvitationId is { } replaced
        ? VoidInvitation.RunAsync(session, clock, "invite-issued", context.Message.EventId, replaced, "replaced by a newer invitation", context.CancellationToken)
        : Task.CompletedTask;
}

/// <summary>Revoking access voids the invitation pending at the time (Enrollment names it).</summary>
public sealed class AccessRevokedConsumer(IDocumentSession session, TimeProvider clock) : IConsumer<AccessRevoked>
{
    public Task Consume(ConsumeContext<AccessRevoked> context) => context.Message.VoidedInvitationId is { } voided
        ? VoidInvitation.RunAsync(session, clock, "access-revoked", context.Message.EventId, voided, "voided by the revocation of access", context.CancellationToken)
        : Task.CompletedTask;
}

/// <summary>Withdrawing a caregiver voids their invitation if they had not taken it up (Enrollment names it).</summary>
public sealed class ProxyAccessRevokedConsumer(IDocumentSession session, TimeProvider clock) : IConsumer<ProxyAccessRevoked>
{
    public Task Consume(ConsumeContext<ProxyAccessRevoked> context) => context.Message.VoidedInvitationId is { } voided
        ? VoidInvitation.RunAsync(session, clock, "proxy-access-revoked", context.Message.EventId, voided, "voided by the withdrawal of proxy access", context.CancellationToken)
        : Task.CompletedTask;
}

internal static class VoidInvitation
{
    /// <summary>
    /// Records the void and, in the same transaction, cancels the invitation's queued deliveries (their content is
    /// deleted). A delivery being sent right now is left to finish; the dispatcher drops any later attempt. Each
    /// cancellation is an optimistic append, so a dispatcher claiming the same delivery meanwhile makes one of the two
    /// fail and retry on fresh state.
    /// </summary>
    public static async Task RunAsync(
        IDocumentSession session, TimeProvider clock, string consumer, Guid messageId, Guid invitationId, string how, CancellationToken cancellationToken)
    {
        if (await session.AlreadyProcessedAsync(consumer, messageId, cancellationToken))
        {
            return;
        }

        var now = clock.GetUtcNow();
        session.Store(new VoidedInvitation(invitationId, how, now));
        var deliveryIds = await session.Query<Delivery>()
            .Where(d => d.InvitationId == invitationId && d.State == DeliveryState.Queued)
            .Select(d => d.Id)
            .ToListAsync(cancellationToken);
        foreach (var id in deliveryIds)
        {
            var stream = await session.Events.FetchForWriting<Delivery>(id, cancellationToken);
            if (stream.Aggregate?.Drop(now, how) is { } cancelled)
            {
                stream.AppendOne(cancelled);
                session.Delete<OutboundMessage>(id);
            }
        }

        await session.SaveChangesOnceAsync(consumer, messageId, clock, cancellationToken);
    }
}
