using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.AccessRequests;
using PortalPlatform.Enrollment.PortalAccess;
using PortalPlatform.Enrollment.Projections;
using PortalPlatform.Enrollment.Settings;

namespace PortalPlatform.Enrollment.Api;

public sealed record DemographicsResponse(string PatientId, string FirstName, string LastName, DateOnly DateOfBirth, string? Email, string? Phone)
{
    public static DemographicsResponse From(PortalStatusView v, string? email, string? phone) =>
        new(v.PatientId, v.FirstName, v.LastName, v.DateOfBirth, email, phone);
}

public sealed record DeliveryResponse(string Email, string Sms);

public sealed record InvitationResponse(
    Guid InvitationId, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, string IssuedBy, string? Email, string? Phone,
    InvitationTemplate Template, DeliveryResponse Delivery);

/// <param name="AccessRequest">The patient's open request for access back, if any.</param>
public sealed record PortalResponse(
    string PatientId, PortalStatus Status, string StatusText, long Version, string? Email, string? Phone,
    InvitationResponse? Invitation, DateTimeOffset UpdatedAt, AccessRequestResponse? AccessRequest)
{
    public static PortalResponse From(PortalStatusView v) => new(
        v.PatientId, v.Status, PortalStatusText.For(v.Status), v.Version, v.Email, v.Phone,
        v.Invitation is { } i
            ? new InvitationResponse(i.InvitationId, i.IssuedAt, i.ExpiresAt, i.IssuedBy, i.Email, i.Phone, i.Template, new DeliveryResponse(i.EmailDelivery, i.SmsDelivery))
            : null,
        v.UpdatedAt,
        v.OpenAccessRequest is { } r ? AccessRequestResponse.From(v, r) : null);
}

public sealed record InvitationCreatedResponse(Guid InvitationId, DateTimeOffset ExpiresAt, PortalStatus Status);

public sealed record StatusResponse(PortalStatus Status, string StatusText, long Version)
{
    public static StatusResponse From(CommandOutcome outcome) =>
        new(outcome.After.Status, PortalStatusText.For(outcome.After.Status), outcome.VersionAfter);
}

public sealed record HistoryResponse(string PatientId, IReadOnlyList<HistoryEntry> Entries);

public sealed record ProxyResponse(
    Guid ProxyId, Guid InvitationId, string FirstName, string LastName, string Relationship, string? Email, string? Phone,
    ProxyStatus Status, DateTimeOffset InvitedAt, DateTimeOffset UpdatedAt)
{
    public static ProxyResponse From(ProxyView p) =>
        new(p.ProxyId, p.InvitationId, p.FirstName, p.LastName, p.Relationship, p.Email, p.Phone, p.Status, p.InvitedAt, p.UpdatedAt);
}

public sealed record ProxyCreatedResponse(Guid ProxyId, Guid InvitationId, DateTimeOffset ExpiresAt, ProxyStatus Status);

public sealed record PortalSettingsResponse(
    bool AutoInvite, WhoCanInvite WhoCanInvite, int InvitationLifetimeDays, string PracticeName, bool AutoRenewExpiredInvitations)
{
    public static PortalSettingsResponse From(PracticePortalSettings s) =>
        new(s.AutoInvite, s.WhoCanInvite, s.InvitationLifetimeDays, s.PracticeName, s.AutoRenewExpiredInvitations);
}

public sealed record DashboardPatient(string PatientId, PortalStatus Status, string StatusText, DateTimeOffset Since);

public sealed record DashboardResponse(IReadOnlyDictionary<string, int> Counts, IReadOnlyList<DashboardPatient> Patients);
