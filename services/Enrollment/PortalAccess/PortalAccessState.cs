using System.Collections.Immutable;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.AccessRequests;

namespace PortalPlatform.Enrollment.PortalAccess;

/// <summary>What the decisions need to know about one patient's portal access, folded from the stream.</summary>
public sealed record PortalAccessState(
    Guid PracticeId,
    string PatientId,
    long Version,
    Demographics? Demographics,
    PortalStatus Status,
    Invitation? Invitation,
    PortalStatus StatusBeforeInvitation,
    bool RevokedSinceLastEnrollment,
    ImmutableDictionary<Guid, Proxy> Proxies)
{
    public static PortalAccessState Initial(Guid practiceId, string patientId) =>
        new(practiceId, patientId, 0, null, PortalStatus.NotInvited, null, PortalStatus.NotInvited, false, ImmutableDictionary<Guid, Proxy>.Empty);

    /// <summary>The patient's unanswered request for access back (AccessRequests/).</summary>
    public OpenAccessRequest? OpenAccessRequest { get; init; }

    /// <summary>The latest revocation, for review requests (AccessRequests/).</summary>
    public Revocation? LastRevocation { get; init; }

    /// <summary>True when the stream has no events: for the API the patient does not exist.</summary>
    public bool IsNew => Version == 0;

    /// <summary>The invitation that a delivery report or a registration may still act on.</summary>
    public Invitation? PendingInvitation => Status == PortalStatus.Invited ? Invitation : null;

    public static PortalAccessState Fold(Guid practiceId, string patientId, IEnumerable<object> events) =>
        events.Aggregate(Initial(practiceId, patientId), Evolve);

    public static PortalAccessState Evolve(PortalAccessState state, object @event) =>
        AccessRequestFold.Evolve(EvolveAccess(state, @event), @event);

    private static PortalAccessState EvolveAccess(PortalAccessState state, object @event)
    {
        var next = state with { Version = state.Version + 1 };
        return @event switch
        {
            DemographicsRecorded e => next with
            {
                Demographics = new Demographics(e.FirstName, e.LastName, e.DateOfBirth, e.Email, e.Phone),
            },
            InvitationIssued e => next with
            {
                Status = PortalStatus.Invited,
                StatusBeforeInvitation = state.Status == PortalStatus.Invited ? state.StatusBeforeInvitation : state.Status,
                Invitation = new Invitation(e.InvitationId, e.IssuedAt, e.ExpiresAt, e.IssuedBy, e.Email, e.Phone, e.Template,
                    ImmutableDictionary<DeliveryChannel, DeliveryState>.Empty),
            },
            InvitationCancelled e => next with { Status = e.RestoredStatus },
            InvitationExpired => next with { Status = PortalStatus.InviteExpired },
            InvitationDelivered e when state.Invitation?.Id == e.InvitationId => next with
            {
                Invitation = state.Invitation with { Delivery = state.Invitation.Delivery.SetItem(e.Channel, DeliveryState.Delivered) },
            },
            InvitationDeliveryFailed e when state.Invitation?.Id == e.InvitationId => next with
            {
                Invitation = state.Invitation with { Delivery = state.Invitation.Delivery.SetItem(e.Channel, DeliveryState.Failed) },
            },
            VerificationLocked => next with { Status = PortalStatus.VerificationLocked },
            RegistrationCompleted => next with { Status = PortalStatus.Enrolled, RevokedSinceLastEnrollment = false },
            AccessRevoked => next with { Status = PortalStatus.AccessRevoked, RevokedSinceLastEnrollment = true },
            ProxyInvited e => next with
            {
                Proxies = state.Proxies.SetItem(e.ProxyId, new Proxy(e.ProxyId, e.InvitationId, e.FirstName, e.LastName, e.Relationship, e.InvitedBy, ProxyStatus.Invited)),
            },
            ProxyAccessGranted e when state.Proxies.TryGetValue(e.ProxyId, out var proxy) => next with
            {
                Proxies = state.Proxies.SetItem(e.ProxyId, proxy with { Status = ProxyStatus.Active }),
            },
            ProxyAccessRevoked e when state.Proxies.TryGetValue(e.ProxyId, out var proxy) => next with
            {
                Proxies = state.Proxies.SetItem(e.ProxyId, proxy with { Status = ProxyStatus.Revoked }),
            },
            _ => next,
        };
    }
}

public sealed record Demographics(string FirstName, string LastName, DateOnly DateOfBirth, string? Email, string? Phone);

public sealed record Invitation(
    Guid Id, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, string IssuedBy, string? Email, string? Phone,
    InvitationTemplate Template, ImmutableDictionary<DeliveryChannel, DeliveryState> Delivery);

public enum DeliveryState
{
    Pending,
    Delivered,
    Failed,
}

public enum ProxyStatus
{
    Invited,
    Active,
    Revoked,
}

public sealed record Proxy(Guid Id, Guid InvitationId, string FirstName, string LastName, string Relationship, string InvitedBy, ProxyStatus Status);
