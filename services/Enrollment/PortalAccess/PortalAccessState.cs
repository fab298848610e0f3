using System.Collections.Immutable;
using System.Text.Json.Serialization;
using PortalPlatform.Enrollment.AccessRequests;
using PortalPlatform.Enrollment.Cancelling;
using PortalPlatform.Enrollment.Expiring;
using PortalPlatform.Enrollment.Inviting;
using PortalPlatform.Enrollment.Proxies;
using PortalPlatform.Enrollment.RecordingDemographics;
using PortalPlatform.Enrollment.Registering;
using PortalPlatform.Enrollment.Revoking;
using InvitationTemplate = PortalPlatform.Contracts.InvitationTemplate;
using PortalStatus = PortalPlatform.Contracts.PortalStatus;

namespace PortalPlatform.Enrollment.PortalAccess;

/// <summary>
/// One patient's portal access, folded from the stream: what the decisions need, what the chart shows and the
/// practice dashboard's row, all in one document (projected inline, id = the stream id) so the status is folded once
/// and written once per command.
/// </summary>
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
    public Guid Id { get; init; }

    /// <summary>The contact the chart shows: the demographics', or the invitation's while one is pending.</summary>
    public string? Email { get; init; }

    public string? Phone { get; init; }

    /// <summary>When the status last changed (the dashboard's "since").</summary>
    public DateTimeOffset StatusSince { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public static PortalAccessState Initial(Guid practiceId, string patientId) =>
        new(practiceId, patientId, 0, null, PortalStatus.NotInvited, null, PortalStatus.NotInvited, false, ImmutableDictionary<Guid, Proxy>.Empty)
        {
            Id = PortalAccessStream.IdOf(practiceId, patientId),
        };

    /// <summary>True once the patient has set up a portal account (registration completed), whatever happened since.</summary>
    public bool HadAccount { get; init; }

    /// <summary>The patient's unanswered request for access back (AccessRequests/).</summary>
    public OpenAccessRequest? OpenAccessRequest { get; init; }

    /// <summary>The latest revocation, for review requests (AccessRequests/).</summary>
    public Revocation? LastRevocation { get; init; }

    /// <summary>What the staff list of open requests queries.</summary>
    public bool HasOpenAccessRequest => OpenAccessRequest is not null;

    /// <summary>True when the stream has no events: for the API the patient does not exist.</summary>
    [JsonIgnore]
    public bool IsNew => Version == 0;

    /// <summary>The invitation that a delivery report or a registration may still act on.</summary>
    [JsonIgnore]
    public Invitation? PendingInvitation => Status == PortalStatus.Invited ? Invitation : null;

    /// <summary>Expiry of the pending invitation, null when none is pending: what the expiry job queries (indexed).</summary>
    public DateTimeOffset? PendingInvitationExpiresAt => PendingInvitation?.ExpiresAt;

    public static PortalAccessState Fold(Guid practiceId, string patientId, IEnumerable<object> events) =>
        events.Aggregate(Initial(practiceId, patientId), After);

    /// <summary>The status change an event makes, if it makes one: the only place that knows it (state, chart, dashboard, history, outbox).</summary>
    public static (PortalStatus Before, PortalStatus After)? StatusChangeOf(object @event) => @event switch
    {
        InvitationIssued e => (e.PreviousStatus, PortalStatus.Invited),
        InvitationCancelled e => (PortalStatus.Invited, e.RestoredStatus),
        InvitationExpired => (PortalStatus.Invited, PortalStatus.InviteExpired),
        VerificationLocked => (PortalStatus.Invited, PortalStatus.VerificationLocked),
        RegistrationCompleted => (PortalStatus.Invited, PortalStatus.Enrolled),
        AccessRevoked e => (e.PreviousStatus, PortalStatus.AccessRevoked),
        _ => null,
    };

    /// <summary>The state after one more event (named apart from Marten's Evolve convention: the projection calls it).</summary>
    public static PortalAccessState After(PortalAccessState state, object @event)
    {
        var next = state with { Version = state.Version + 1 };
        if (StatusChangeOf(@event) is { } change)
        {
            next = next with { Status = change.After, StatusSince = TimeOf(@event) ?? state.StatusSince };
        }

        next = @event switch
        {
            DemographicsRecorded e => next with
            {
                Demographics = new Demographics(e.FirstName, e.LastName, e.DateOfBirth, e.Email, e.Phone),
                Email = state.Status == PortalStatus.Invited ? state.Email : e.Email,
                Phone = state.Status == PortalStatus.Invited ? state.Phone : e.Phone,
                StatusSince = state.IsNew ? e.RecordedAt : state.StatusSince,
            },
            InvitationIssued e => next with
            {
                StatusBeforeInvitation = state.Status == PortalStatus.Invited ? state.StatusBeforeInvitation : state.Status,
                Invitation = new Invitation(e.InvitationId, e.IssuedAt, e.ExpiresAt, e.IssuedBy, e.Email, e.Phone, e.Template),
                Email = e.Email,
                Phone = e.Phone,
            },
            RegistrationCompleted => next with { RevokedSinceLastEnrollment = false, HadAccount = true },
            // "Set up your account again" only makes sense to a patient who once had one.
            AccessRevoked => next with { RevokedSinceLastEnrollment = state.HadAccount },
            ProxyInvited e => next with
            {
                Proxies = state.Proxies.SetItem(e.ProxyId, new Proxy(
                    e.ProxyId, e.InvitationId, e.FirstName, e.LastName, e.Relationship, e.InvitedBy, ProxyStatus.Invited, e.Email, e.Phone, e.InvitedAt, e.InvitedAt)),
            },
            ProxyAccessGranted e when state.Proxies.TryGetValue(e.ProxyId, out var proxy) => next with
            {
                Proxies = state.Proxies.SetItem(e.ProxyId, proxy with { Status = ProxyStatus.Active, UpdatedAt = e.GrantedAt }),
            },
            ProxyAccessRevoked e when state.Proxies.TryGetValue(e.ProxyId, out var proxy) => next with
            {
                Proxies = state.Proxies.SetItem(e.ProxyId, proxy with { Status = ProxyStatus.Revoked, UpdatedAt = e.RevokedAt }),
            },
            _ => next,
        };
        return AccessRequestFold.After(next, @event) with { UpdatedAt = TimeOf(@event) ?? state.UpdatedAt };
    }

    /// <summary>When the event happened (each event names its own time).</summary>
    public static DateTimeOffset? TimeOf(object @event) => @event switch
    {
        DemographicsRecorded e => e.RecordedAt,
        InvitationIssued e => e.IssuedAt,
        InvitationCancelled e => e.CancelledAt,
        InvitationExpired e => e.ExpiredAt,
        VerificationLocked e => e.LockedAt,
        RegistrationCompleted e => e.CompletedAt,
        AccessRevoked e => e.RevokedAt,
        ProxyInvited e => e.InvitedAt,
        ProxyAccessGranted e => e.GrantedAt,
        ProxyAccessRevoked e => e.RevokedAt,
        AccessRequested e => e.RequestedAt,
        AccessRequestDeclined e => e.DeclinedAt,
        AccessRequestApproved e => e.ApprovedAt,
        _ => null,
    };
}

public sealed record Demographics(string FirstName, string LastName, DateOnly DateOfBirth, string? Email, string? Phone);

public sealed record Invitation(
    Guid Id, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, string IssuedBy, string? Email, string? Phone, InvitationTemplate Template);

public enum ProxyStatus
{
    Invited,
    Active,
    Revoked,
}

public sealed record Proxy(
    Guid Id, Guid InvitationId, string FirstName, string LastName, string Relationship, string InvitedBy, ProxyStatus Status,
    string? Email, string? Phone, DateTimeOffset InvitedAt, DateTimeOffset UpdatedAt);
