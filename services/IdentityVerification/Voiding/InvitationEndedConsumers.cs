using Marten;
using MassTransit;
using PortalPlatform.Contracts;
using PortalPlatform.IdentityVerification.Registrations;
using PortalPlatform.ServiceDefaults.EventStore;

namespace PortalPlatform.IdentityVerification.Voiding;

/// <summary>Staff cancelled the invitation: its registration stops working.</summary>
public sealed class InviteCancelledConsumer(IDocumentSession session, TimeProvider clock) : IConsumer<InviteCancelled>
{
    public Task Consume(ConsumeContext<InviteCancelled> context) =>
        VoidInvitation.RunAsync(session, clock, "invite-cancelled", context.Message.EventId, context.Message.InvitationId, "cancelled", context.CancellationToken);
}

/// <summary>The invitation lapsed: its registration stops working (it would refuse by its own expiry too).</summary>
public sealed class InviteExpiredConsumer(IDocumentSession session, TimeProvider clock) : IConsumer<InviteExpired>
{
    public Task Consume(ConsumeContext<InviteExpired> context) =>
        VoidInvitation.RunAsync(session, clock, "invite-expired", context.Message.EventId, context.Message.InvitationId, "expired", context.CancellationToken);
}

internal static class VoidInvitation
{
    public static async Task RunAsync(
        IDocumentSession session, TimeProvider clock, string consumer, Guid messageId, Guid invitationId, string reason, CancellationToken cancellationToken)
    {
        if (await session.AlreadyProcessedAsync(consumer, messageId, cancellationToken))
        {
            return;
        }

        var registrations = await session.Query<Registration>().Where(r => r.InvitationId == invitationId).ToListAsync(cancellationToken);
        foreach (var registration in registrations.Where(r => r.IsPending))
        {
            session.Events.Append(registration.Id, new RegistrationVoided(registration.Id, reason, clock.GetUtcNow()));
        }

        await session.SaveChangesOnceAsync(consumer, messageId, clock, cancellationToken);
    }
}
