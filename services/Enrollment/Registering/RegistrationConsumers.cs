using MassTransit;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Messaging;

namespace PortalPlatform.Enrollment.Registering;

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
public sealed class RegistrationCompletedConsumer(PortalAccessInbox inbox) : IConsumer<Contracts.RegistrationCompleted>
{
    public Task Consume(ConsumeContext<Contracts.RegistrationCompleted> context)
    {
        var m = context.Message;
        return inbox.ApplyAsync(nameof(RegistrationCompletedConsumer), m,
            _ => new CompleteRegistration(m.InvitationId, m.AccountId, m.OccurredAt), context.CancellationToken);
    }
}
