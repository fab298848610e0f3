using JasperFx.Events;
using PortalPlatform.Enrollment.AccessRequests;
using Marten.Events.Aggregation;
using PortalPlatform.Enrollment.Cancelling;
using PortalPlatform.Enrollment.Expiring;
using PortalPlatform.Enrollment.Inviting;
using PortalPlatform.Enrollment.Proxies;
using PortalPlatform.Enrollment.RecordingDemographics;
using PortalPlatform.Enrollment.Registering;
using PortalPlatform.Enrollment.Revoking;

namespace PortalPlatform.Enrollment.PortalAccess;

/// <summary>Keeps <see cref="PortalAccessState"/> (inline, in the command's own commit) by the same fold the decisions use.</summary>
public sealed class PortalAccessProjection : SingleStreamProjection<PortalAccessState, Guid>
{
    public PortalAccessProjection()
    {
        IncludeType<DemographicsRecorded>();
        IncludeType<InvitationIssued>();
        IncludeType<InvitationCancelled>();
        IncludeType<InvitationExpired>();
        IncludeType<VerificationLocked>();
        IncludeType<RegistrationCompleted>();
        IncludeType<AccessRevoked>();
        IncludeType<ProxyInvited>();
        IncludeType<ProxyAccessGranted>();
        IncludeType<ProxyAccessRevoked>();
        IncludeType<AccessRequested>();
        IncludeType<AccessRequestDeclined>();
        IncludeType<AccessRequestApproved>();
    }

    public override PortalAccessState? Evolve(PortalAccessState? snapshot, Guid id, IEvent e) =>
        e.Data is IPortalAccessEvent data
            ? PortalAccessState.After(snapshot ?? PortalAccessState.Initial(data.PracticeId, data.PatientId), data)
            : snapshot;
}
