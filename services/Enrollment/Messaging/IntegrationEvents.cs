using JasperFx.Events;
using PortalPlatform.Enrollment.AccessRequests;
using PortalPlatform.Enrollment.Cancelling;
using PortalPlatform.Enrollment.Expiring;
using PortalPlatform.Enrollment.Inviting;
using PortalPlatform.Enrollment.PortalAccess;
using PortalPlatform.Enrollment.Proxies;
using PortalPlatform.Enrollment.Revoking;
using PortalPlatform.ServiceDefaults.EventStore;
using Integration = PortalPlatform.Contracts;
using PortalStatus = PortalPlatform.Contracts.PortalStatus;

namespace PortalPlatform.Enrollment.Messaging;

/// <summary>
/// What leaves Enrollment for each stored event: broadcast integration events (ids, times, states; never contact
/// data or the revocation note) and the CreateRegistration command for Identity-Verification's own queue.
/// </summary>
public sealed class IntegrationEvents : IIntegrationEventMap
{
    public IEnumerable<object> Map(IEvent stored)
    {
        switch (stored.Data)
        {
            case InvitationIssued e:
                yield return new Integration.InviteIssued(
                    stored.IdFor<Integration.InviteIssued>(), e.PracticeId, e.PatientId, e.IssuedAt, e.InvitationId, e.ExpiresAt,
                    IsReinvite: e.PreviousStatus != PortalStatus.NotInvited, e.ReplacesInvitationId, e.IssuedBy);
                yield return new Integration.CreateRegistration(
                    stored.IdFor<Integration.CreateRegistration>(), e.PracticeId, e.PatientId, e.InvitationId, e.ExpiresAt,
                    e.PracticeName, e.FirstName, e.DateOfBirth, e.Email, e.Phone, e.Template, ProxyId: null);
                break;
            case InvitationCancelled e:
                yield return new Integration.InviteCancelled(
                    stored.IdFor<Integration.InviteCancelled>(), e.PracticeId, e.PatientId, e.CancelledAt, e.InvitationId, e.CancelledBy);
                break;
            case InvitationExpired e:
                yield return new Integration.InviteExpired(stored.IdFor<Integration.InviteExpired>(), e.PracticeId, e.PatientId, e.ExpiredAt, e.InvitationId);
                break;
            case AccessRevoked e:
                yield return new Integration.AccessRevoked(stored.IdFor<Integration.AccessRevoked>(), e.PracticeId, e.PatientId, e.RevokedAt, e.Reason, e.RevokedBy,
                    Harm: e.Harm, VoidedInvitationId: e.VoidedInvitationId);
                break;
            case ProxyInvited e:
                yield return new Integration.CreateRegistration(
                    stored.IdFor<Integration.CreateRegistration>(), e.PracticeId, e.PatientId, e.InvitationId, e.ExpiresAt,
                    e.PracticeName, e.FirstName, e.DateOfBirth, e.Email, e.Phone, Integration.InvitationTemplate.ProxyInvitation, e.ProxyId);
                break;
            case ProxyAccessGranted e:
                yield return new Integration.ProxyAccessGranted(
                    stored.IdFor<Integration.ProxyAccessGranted>(), e.PracticeId, e.PatientId, e.GrantedAt, e.ProxyId, e.Relationship, e.GrantedBy);
                break;
            case ProxyAccessRevoked e:
                yield return new Integration.ProxyAccessRevoked(
                    stored.IdFor<Integration.ProxyAccessRevoked>(), e.PracticeId, e.PatientId, e.RevokedAt, e.ProxyId, e.RevokedBy,
                    VoidedInvitationId: e.VoidedInvitationId);
                break;
            default:
                foreach (var message in AccessRequestMessages.Map(stored))
                {
                    yield return message;
                }

                break;
        }

        // The status change comes from the same function the aggregate folds with.
        if (stored.Data is IPortalAccessEvent data && PortalAccessState.StatusChangeOf(data) is { } change && change.Before != change.After)
        {
            yield return new Integration.PortalStatusChanged(
                stored.IdFor<Integration.PortalStatusChanged>(), data.PracticeId, data.PatientId, PortalAccessState.TimeOf(data)!.Value,
                change.Before, change.After, stored.Version);
        }
    }
}
