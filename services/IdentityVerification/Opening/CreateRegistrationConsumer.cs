using Marten;
using MassTransit;
using PortalPlatform.Contracts;
using PortalPlatform.IdentityVerification.Registrations;
using PortalPlatform.ServiceDefaults;
using PortalPlatform.ServiceDefaults.EventStore;

namespace PortalPlatform.IdentityVerification.Opening;

/// <summary>
/// Opens a registration for a new invitation and voids the earlier ones for the same person: the patient's own, or
/// the same caregiver's for a proxy invitation (a caregiver's invitation leaves the patient's alone).
/// </summary>
public sealed class CreateRegistrationConsumer(
    IDocumentSession session, RegistrationSecrets secrets, TimeProvider clock, ILogger<CreateRegistrationConsumer> logger)
    : IConsumer<CreateRegistration>
{
    private const string Name = "create-registration";

    public async Task Consume(ConsumeContext<CreateRegistration> context)
    {
        var command = context.Message;
        var cancellationToken = context.CancellationToken;
        if (await session.AlreadyProcessedAsync(Name, command.CommandId, cancellationToken))
        {
            return;
        }

        var now = clock.GetUtcNow();
        var earlier = await session.Query<Registration>()
            .Where(r => r.PracticeId == command.PracticeId && r.PatientId == command.PatientId && r.ProxyId == command.ProxyId)
            .ToListAsync(cancellationToken);
        foreach (var registration in earlier.Where(r => r.IsPending))
        {
            session.Events.Append(registration.Id, new RegistrationVoided(registration.Id, "re-invited", now));
        }

        // The same command always opens the same registration, so even a lost inbox row cannot open two.
        var registrationId = DeterministicGuid.Create(command.CommandId, "registration");
        session.Events.StartStream<Registration>(registrationId, new RegistrationOpened(
            registrationId, command.PracticeId, command.PatientId, command.InvitationId,
            RegistrationSecrets.HashOf(secrets.TokenFor(registrationId)),
            now, command.ExpiresAt, command.PracticeName, command.FirstName, command.DateOfBirth,
            command.Email, command.Phone, command.Template, command.ProxyId));

        if (await session.SaveChangesOnceAsync(Name, command.CommandId, clock, cancellationToken))
        {
            logger.LogInformation("Registration {RegistrationId} opened for invitation {InvitationId}; {Voided} earlier voided",
                registrationId, command.InvitationId, earlier.Count(r => r.IsPending));
        }
    }
}

public sealed class CreateRegistrationConsumerDefinition : ConsumerDefinition<CreateRegistrationConsumer>
{
    public CreateRegistrationConsumerDefinition() => EndpointName = CommandQueues.CreateRegistration;
}
