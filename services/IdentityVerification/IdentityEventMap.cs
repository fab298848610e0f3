using JasperFx.Events;
using Microsoft.Extensions.Options;
using PortalPlatform.Contracts;
using PortalPlatform.IdentityVerification.AccessRequests;
using PortalPlatform.IdentityVerification.Registrations;
using PortalPlatform.ServiceDefaults.EventStore;
using PortalPlatform.ServiceDefaults.Messaging;

namespace PortalPlatform.IdentityVerification;

/// <summary>
/// What leaves the service for each stored event. The link and the code are derived again from the key here, so the
/// commands that carry them can be re-sent (same CommandId) without the secret ever being stored; they travel sealed
/// for Notification, so no queue or error queue holds them in clear.
/// </summary>
public sealed class IdentityEventMap(RegistrationSecrets secrets, CommandSecrets sealer, IOptions<PortalOptions> portal) : IIntegrationEventMap
{
    public IEnumerable<object> Map(IEvent stored) => stored.Data switch
    {
        RegistrationOpened e =>
        [
            new DeliverInvitation(stored.IdFor<DeliverInvitation>(), e.PracticeId, e.PatientId, e.InvitationId, e.PracticeName, e.FirstName,
                e.Email, e.Phone, sealer.Seal(LinkFor(e.RegistrationId), stored.IdFor<DeliverInvitation>()), e.ExpiresAt, e.Template),
        ],
        OneTimeCodeSent e =>
        [
            new DeliverOneTimeCode(stored.IdFor<DeliverOneTimeCode>(), e.PracticeId, e.PatientId, e.RegistrationId, e.PracticeName, e.Phone,
                sealer.Seal(secrets.OneTimeCodeFor(e.RegistrationId, e.Sequence), stored.IdFor<DeliverOneTimeCode>()), e.ExpiresAt),
        ],
        IdentityConfirmed e =>
        [
            new IdentityVerified(stored.IdFor<IdentityVerified>(), e.PracticeId, e.PatientId, e.ConfirmedAt, e.InvitationId, e.RegistrationId, e.Method),
        ],
        RegistrationLocked e =>
        [
            new IdentityVerificationLocked(stored.IdFor<IdentityVerificationLocked>(), e.PracticeId, e.PatientId, e.LockedAt, e.InvitationId,
                e.RegistrationId, e.FailedChecks),
        ],
        AccountSetUp e =>
        [
            new RegistrationCompleted(stored.IdFor<RegistrationCompleted>(), e.PracticeId, e.PatientId, e.CompletedAt, e.InvitationId,
                e.RegistrationId, e.AccountId, e.LinkedExistingAccount),
        ],
        AccessRequestSubmitted e =>
        [
            new RequestAccess(stored.IdFor<RequestAccess>(), e.PracticeId, e.PatientId, e.Proof, e.InvitationId, e.SubmittedAt),
        ],
        _ => [],
    };

    private string LinkFor(Guid registrationId) =>
        $"{portal.Value.PublicBaseUrl.TrimEnd('/')}/register?token={Uri.EscapeDataString(secrets.TokenFor(registrationId))}";
}
