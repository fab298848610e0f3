using MassTransit;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Messaging;

namespace PortalPlatform.Enrollment.AutoInviting;

/// <summary>A provider signed an encounter: the practice's auto-invite rule may invite the patient.</summary>
public sealed class EncounterSignedConsumer(PortalAccessInbox inbox) : IConsumer<EncounterSigned>
{
    public Task Consume(ConsumeContext<EncounterSigned> context)
    {
        var m = context.Message;

        // The invitation id derives from the event, so a redelivery after a crash decides the same invitation.
        var invitationId = ServiceDefaults.DeterministicGuid.Create(m.EventId, "auto-invite");
        return inbox.ApplyAsync(nameof(EncounterSignedConsumer), m,
            settings => new AutoInvitePatient(invitationId, settings, inbox.Now), context.CancellationToken);
    }
}
