using System.Text.Json;
using JasperFx.Events;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.AccessRequests;
using PortalPlatform.Enrollment.Expiring;
using PortalPlatform.Enrollment.Inviting;
using PortalPlatform.Enrollment.Messaging;
using PortalPlatform.Enrollment.PortalAccess;
using PortalPlatform.Enrollment.RecordingDemographics;
using PortalPlatform.Enrollment.Revoking;
using PortalPlatform.Enrollment.Settings;
using AccessRequestApproved = PortalPlatform.Enrollment.AccessRequests.AccessRequestApproved;
using AccessRequestDeclined = PortalPlatform.Enrollment.AccessRequests.AccessRequestDeclined;
using AccessRequested = PortalPlatform.Enrollment.AccessRequests.AccessRequested;
using AccessRevoked = PortalPlatform.Enrollment.Revoking.AccessRevoked;
using RegistrationCompleted = PortalPlatform.Enrollment.Registering.RegistrationCompleted;

namespace PortalPlatform.Enrollment.Tests.Domain;

/// <summary>The way back as pure functions: given these events, when this command, then these events (or this refusal).</summary>
public sealed class AccessRequestDecisionTests
{
    private static readonly Guid Practice = Guid.NewGuid();
    private const string Patient = "EHR-2001";
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 9, 0, 0, TimeSpan.Zero);
    private static readonly PracticePortalSettings Settings = PracticePortalSettings.DefaultFor(Practice);
    private static readonly HarmDetermination Harm = new("dr-a", "Dr Alvarez", HarmBasis.EndangersLifeOrSafety, HarmScope.Patient);
    private static readonly Guid Invitation = Guid.NewGuid();

    private static PortalAccessState Revoked(RevocationReason reason, HarmDetermination? harm = null) => PortalAccessState.Fold(Practice, Patient,
    [
        new DemographicsRecorded(Practice, Patient, "Ada", "Lovelace", new DateOnly(1980, 12, 10), "ada@example.org", "+12015550100", "ehr", Now.AddDays(-30)),
        new InvitationIssued(Practice, Patient, Invitation, Now.AddDays(-20), Now.AddDays(-6), "u-admin", "Northside", "Ada", new DateOnly(1980, 12, 10),
            "ada@example.org", "+12015550100", InvitationTemplate.Invitation, null, PortalStatus.NotInvited),
        new RegistrationCompleted(Practice, Patient, Invitation, Guid.NewGuid(), Now.AddDays(-19)),
        new AccessRevoked(Practice, Patient, reason, "note", "dr-a", "provider", Now.AddDays(-1), PortalStatus.Enrolled, null, harm),
    ]);

    private static RecordAccessRequest Asking(AccessRequestProof proof = AccessRequestProof.Credentials, PracticePortalSettings? settings = null) =>
        new(Guid.NewGuid(), proof, null, Guid.NewGuid(), settings ?? Settings, Now);

    private static Decision Decide(PortalAccessState state, PortalAccessCommand command) => command.Decide(state);

    private static PortalAccessState After(PortalAccessState state, Decision decision) => decision.Events.Aggregate(state, (s, e) => PortalAccessState.After(s, e));

    [Fact]
    public void A_revoked_patient_s_request_is_recorded_once_and_a_second_changes_nothing()
    {
        var state = Revoked(RevocationReason.Privacy);

        var first = Decide(state, Asking());
        var second = Decide(After(state, first), Asking());

        var requested = Assert.IsType<AccessRequested>(Assert.Single(first.Events));
        Assert.Equal((AccessRequestKind.Restore, (string?)null), (requested.Kind, requested.RevokedBy));
        Assert.Empty(second.Events);
        Assert.False(second.Rejected);
    }

    [Fact]
    public void After_a_harm_based_revocation_the_request_is_a_review_that_the_revoking_provider_may_not_decide()
    {
        var state = Revoked(RevocationReason.PreventingHarm, Harm);
        var open = After(state, Decide(state, Asking()));
        var requestId = open.OpenAccessRequest!.RequestId;

        Assert.Equal(AccessRequestKind.Review, open.OpenAccessRequest.Kind);
        Assert.Equal(RejectionKind.Forbidden, Decide(open, new InvitePatient(Guid.NewGuid(), null, null, Settings, new Actor("dr-a", "provider"), Now)).Rejection);
        Assert.Equal(RejectionKind.Forbidden, Decide(open, new DeclineAccessRequest(requestId, "no", Settings, new Actor("dr-a", "provider"), Now)).Rejection);
        Assert.Equal(RejectionKind.Forbidden, Decide(open, new DeclineAccessRequest(requestId, "no", Settings, new Actor("boss", "admin"), Now)).Rejection);
        var declined = Decide(open, new DeclineAccessRequest(requestId, "still unsafe", Settings, new Actor("dr-b", "provider"), Now));
        Assert.Equal("still unsafe", Assert.IsType<AccessRequestDeclined>(Assert.Single(declined.Events)).Reason);
    }

    [Fact]
    public void Revoking_for_preventing_harm_needs_the_determination_and_other_reasons_refuse_one()
    {
        var state = After(Revoked(RevocationReason.Privacy), Decision.Of(new RegistrationCompleted(Practice, Patient, Invitation, Guid.NewGuid(), Now)));

        Assert.Equal("decidingClinicianId", Decide(state, new RevokeAccess(RevocationReason.PreventingHarm, null, new Actor("dr-a", "provider"), Now)).Field);
        Assert.Equal(RejectionKind.Invalid, Decide(state, new RevokeAccess(RevocationReason.Privacy, null, new Actor("dr-a", "provider"), Now, Harm)).Rejection);
        var revoked = Decide(state, new RevokeAccess(RevocationReason.PreventingHarm, null, new Actor("dr-a", "provider"), Now, Harm));
        Assert.Equal(Harm, Assert.IsType<AccessRevoked>(Assert.Single(revoked.Events)).Harm);
    }

    [Fact]
    public void An_expired_invitation_with_auto_renewal_on_is_renewed_at_once_to_the_contact_on_file()
    {
        var expired = After(Revoked(RevocationReason.Privacy), Decision.Of(
            new InvitationIssued(Practice, Patient, Guid.NewGuid(), Now.AddDays(-15), Now.AddDays(-1), "u-admin", "Northside", "Ada", new DateOnly(1980, 12, 10),
                "ada@example.org", null, InvitationTemplate.Reinvitation, Invitation, PortalStatus.AccessRevoked),
            new InvitationExpired(Practice, Patient, Guid.NewGuid(), Now.AddDays(-1))));
        Assert.Equal(PortalStatus.InviteExpired, expired.Status);

        var withoutSetting = Decide(expired, Asking(AccessRequestProof.ExpiredInvitation));
        var withSetting = Decide(expired, Asking(AccessRequestProof.ExpiredInvitation, Settings with { AutoRenewExpiredInvitations = true }));
        var byPassword = Decide(expired, Asking(AccessRequestProof.Credentials, Settings with { AutoRenewExpiredInvitations = true }));

        Assert.Equal(AccessRequestKind.Renewal, Assert.IsType<AccessRequested>(Assert.Single(withoutSetting.Events)).Kind);
        Assert.Equal([typeof(AccessRequested), typeof(InvitationIssued), typeof(AccessRequestApproved)], withSetting.Events.Select(e => e.GetType()));
        var issued = (InvitationIssued)withSetting.Events[1];
        Assert.Equal(("auto-renewal", "ada@example.org", "+12015550100"), (issued.IssuedBy, issued.Email, issued.Phone));
        Assert.Empty(byPassword.Events);
    }

    [Fact]
    public void A_harm_based_revocation_leaves_with_its_determination_and_a_decline_leaves_without_its_reason()
    {
        var revoked = new AccessRevoked(Practice, Patient, RevocationReason.PreventingHarm, "private remark", "dr-a", "provider", Now, PortalStatus.Enrolled, null, Harm);
        var declined = new AccessRequestDeclined(Practice, Patient, Guid.NewGuid(), AccessRequestKind.Review, "a private reason", "dr-b", "provider", Now,
            "Northside", "Ada", "ada@example.org", null);

        var messages = new IntegrationEvents().Map(new Event<AccessRevoked>(revoked) { Id = Guid.NewGuid(), Version = 5 })
            .Concat(new IntegrationEvents().Map(new Event<AccessRequestDeclined>(declined) { Id = Guid.NewGuid(), Version = 6 }))
            .ToList();

        Assert.Equal(Harm, Assert.Single(messages.OfType<Contracts.AccessRevoked>()).Harm);
        Assert.Single(messages.OfType<Contracts.AccessRequestDeclined>());
        Assert.Equal("ada@example.org", Assert.Single(messages.OfType<DeliverAccessRequestDeclined>()).Email);
        Assert.All(messages, m => Assert.DoesNotContain("private", JsonSerializer.Serialize(m, m.GetType()), StringComparison.Ordinal));
        Assert.All(messages.OfType<IIntegrationEvent>(), m => Assert.DoesNotContain("ada@example.org", JsonSerializer.Serialize(m, m.GetType()), StringComparison.Ordinal));
    }
}
