using JasperFx.Events;
using Marten.Events.Projections;
using DeliveryChannel = PortalPlatform.Contracts.DeliveryChannel;
using InvitationTemplate = PortalPlatform.Contracts.InvitationTemplate;
using PortalStatus = PortalPlatform.Contracts.PortalStatus;
using PortalPlatform.Enrollment.PortalAccess;
using PortalPlatform.Enrollment.Cancelling;
using PortalPlatform.Enrollment.Delivering;
using PortalPlatform.Enrollment.Expiring;
using PortalPlatform.Enrollment.Inviting;
using PortalPlatform.Enrollment.Proxies;
using PortalPlatform.Enrollment.RecordingDemographics;
using PortalPlatform.Enrollment.Registering;
using PortalPlatform.Enrollment.Revoking;

namespace PortalPlatform.Enrollment.Dashboard;

/// <summary>A practice's patients by portal status (async, one document per practice, id = practice id).</summary>
public sealed class PracticeDashboard
{
    public Guid Id { get; set; }
    public Dictionary<string, DashboardEntry> Patients { get; set; } = [];
}

public sealed record DashboardEntry(PortalStatus Status, DateTimeOffset Since);

public sealed class PracticeDashboardProjection : MultiStreamProjection<PracticeDashboard, Guid>
{
    public PracticeDashboardProjection()
    {
        Identity<IPortalAccessEvent>(e => e.PracticeId);
    }

    public override PracticeDashboard? Evolve(PracticeDashboard? snapshot, Guid id, IEvent e)
    {
        var dashboard = snapshot ?? new PracticeDashboard { Id = id };
        switch (e.Data)
        {
            case DemographicsRecorded d when !dashboard.Patients.ContainsKey(d.PatientId):
                dashboard.Patients[d.PatientId] = new DashboardEntry(PortalStatus.NotInvited, d.RecordedAt);
                break;
            case InvitationIssued i:
                dashboard.Patients[i.PatientId] = new DashboardEntry(PortalStatus.Invited, i.IssuedAt);
                break;
            case InvitationCancelled c:
                dashboard.Patients[c.PatientId] = new DashboardEntry(c.RestoredStatus, c.CancelledAt);
                break;
            case InvitationExpired x:
                dashboard.Patients[x.PatientId] = new DashboardEntry(PortalStatus.InviteExpired, x.ExpiredAt);
                break;
            case VerificationLocked l:
                dashboard.Patients[l.PatientId] = new DashboardEntry(PortalStatus.VerificationLocked, l.LockedAt);
                break;
            case RegistrationCompleted r:
                dashboard.Patients[r.PatientId] = new DashboardEntry(PortalStatus.Enrolled, r.CompletedAt);
                break;
            case AccessRevoked r:
                dashboard.Patients[r.PatientId] = new DashboardEntry(PortalStatus.AccessRevoked, r.RevokedAt);
                break;
        }

        return dashboard;
    }
}
