using JasperFx.Events;
using Marten.Events.Aggregation;
using DeliveryChannel = PortalPlatform.Contracts.DeliveryChannel;
using InvitationTemplate = PortalPlatform.Contracts.InvitationTemplate;
using PortalStatus = PortalPlatform.Contracts.PortalStatus;
using PortalPlatform.Enrollment.AccessRequests;
using PortalPlatform.Enrollment.PortalAccess;

namespace PortalPlatform.Enrollment.Projections;

/// <summary>The chart's view of one patient's portal access (inline: read-your-writes). Id = the stream id.</summary>
public sealed class PortalStatusView
{
    public Guid Id { get; set; }
    public Guid PracticeId { get; set; }
    public string PatientId { get; set; } = "";
    public long Version { get; set; }
    public PortalStatus Status { get; set; }
    public string FirstName { get; set; } = "";
    public string LastName { get; set; } = "";
    public DateOnly DateOfBirth { get; set; }
    public string? Email { get; set; }
    public string? Phone { get; set; }
    public InvitationView? Invitation { get; set; }

    /// <summary>Expiry of the pending invitation, null when none is pending: what the expiry job queries.</summary>
    public DateTimeOffset? PendingInvitationExpiresAt { get; set; }

    public List<ProxyView> Proxies { get; set; } = [];
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The patient's unanswered request for access back; HasOpenAccessRequest is what the staff list queries.</summary>
    public AccessRequestView? OpenAccessRequest { get; set; }
    public bool HasOpenAccessRequest { get; set; }
}

public sealed class InvitationView
{
    public Guid InvitationId { get; set; }
    public DateTimeOffset IssuedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public string IssuedBy { get; set; } = "";
    public string? Email { get; set; }
    public string? Phone { get; set; }
    public InvitationTemplate Template { get; set; }

    /// <summary>Per channel: NotRequested, Pending, Delivered or Failed.</summary>
    public string EmailDelivery { get; set; } = "NotRequested";
    public string SmsDelivery { get; set; } = "NotRequested";
}

public sealed class ProxyView
{
    public Guid ProxyId { get; set; }
    public Guid InvitationId { get; set; }
    public string FirstName { get; set; } = "";
    public string LastName { get; set; } = "";
    public string Relationship { get; set; } = "";
    public string? Email { get; set; }
    public string? Phone { get; set; }
    public ProxyStatus Status { get; set; }
    public DateTimeOffset InvitedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class PortalStatusProjection : SingleStreamProjection<PortalStatusView, Guid>
{
    public override PortalStatusView? Evolve(PortalStatusView? snapshot, Guid id, IEvent e)
    {
        if (e.Data is not IPortalAccessEvent data)
        {
            return snapshot;
        }

        var view = snapshot ?? new PortalStatusView { Id = id, PracticeId = data.PracticeId, PatientId = data.PatientId };
        view.Version = e.Version;
        switch (e.Data)
        {
            case DemographicsRecorded d:
                (view.FirstName, view.LastName, view.DateOfBirth) = (d.FirstName, d.LastName, d.DateOfBirth);
                if (view.Status != PortalStatus.Invited)
                {
                    (view.Email, view.Phone) = (d.Email, d.Phone);
                }

                view.UpdatedAt = d.RecordedAt;
                break;
            case InvitationIssued i:
                view.Status = PortalStatus.Invited;
                (view.Email, view.Phone) = (i.Email, i.Phone);
                view.Invitation = new InvitationView
                {
                    InvitationId = i.InvitationId, IssuedAt = i.IssuedAt, ExpiresAt = i.ExpiresAt, IssuedBy = i.IssuedBy,
                    Email = i.Email, Phone = i.Phone, Template = i.Template,
                    EmailDelivery = i.Email is null ? "NotRequested" : nameof(DeliveryState.Pending),
                    SmsDelivery = i.Phone is null ? "NotRequested" : nameof(DeliveryState.Pending),
                };
                view.UpdatedAt = i.IssuedAt;
                break;
            case InvitationCancelled c:
                view.Status = c.RestoredStatus;
                view.UpdatedAt = c.CancelledAt;
                break;
            case InvitationExpired x:
                view.Status = PortalStatus.InviteExpired;
                view.UpdatedAt = x.ExpiredAt;
                break;
            case InvitationDelivered d when view.Invitation?.InvitationId == d.InvitationId:
                SetDelivery(view.Invitation, d.Channel, nameof(DeliveryState.Delivered));
                view.UpdatedAt = d.DeliveredAt;
                break;
            case InvitationDeliveryFailed f when view.Invitation?.InvitationId == f.InvitationId:
                SetDelivery(view.Invitation, f.Channel, nameof(DeliveryState.Failed));
                view.UpdatedAt = f.FailedAt;
                break;
            case VerificationLocked l:
                view.Status = PortalStatus.VerificationLocked;
                view.UpdatedAt = l.LockedAt;
                break;
            case RegistrationCompleted r:
                view.Status = PortalStatus.Enrolled;
                view.UpdatedAt = r.CompletedAt;
                break;
            case AccessRevoked r:
                view.Status = PortalStatus.AccessRevoked;
                view.UpdatedAt = r.RevokedAt;
                break;
            case ProxyInvited p:
                view.Proxies.RemoveAll(x => x.ProxyId == p.ProxyId);
                view.Proxies.Add(new ProxyView
                {
                    ProxyId = p.ProxyId, InvitationId = p.InvitationId, FirstName = p.FirstName, LastName = p.LastName,
                    Relationship = p.Relationship, Email = p.Email, Phone = p.Phone, Status = ProxyStatus.Invited,
                    InvitedAt = p.InvitedAt, UpdatedAt = p.InvitedAt,
                });
                view.UpdatedAt = p.InvitedAt;
                break;
            case ProxyAccessGranted g when view.Proxies.Find(x => x.ProxyId == g.ProxyId) is { } granted:
                (granted.Status, granted.UpdatedAt) = (ProxyStatus.Active, g.GrantedAt);
                view.UpdatedAt = g.GrantedAt;
                break;
            case ProxyAccessRevoked r when view.Proxies.Find(x => x.ProxyId == r.ProxyId) is { } revoked:
                (revoked.Status, revoked.UpdatedAt) = (ProxyStatus.Revoked, r.RevokedAt);
                view.UpdatedAt = r.RevokedAt;
                break;
        }

        AccessRequestViews.Apply(view, e.Data);
        view.PendingInvitationExpiresAt = view.Status == PortalStatus.Invited ? view.Invitation?.ExpiresAt : null;
        return view;
    }

    private static void SetDelivery(InvitationView invitation, DeliveryChannel channel, string state)
    {
        if (channel == DeliveryChannel.Email)
        {
            invitation.EmailDelivery = state;
        }
        else
        {
            invitation.SmsDelivery = state;
        }
    }
}
