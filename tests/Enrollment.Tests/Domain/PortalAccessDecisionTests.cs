using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.PortalAccess;
using PortalPlatform.Enrollment.AutoInviting;
using PortalPlatform.Enrollment.Cancelling;
using PortalPlatform.Enrollment.Delivering;
using PortalPlatform.Enrollment.Expiring;
using PortalPlatform.Enrollment.Inviting;
using PortalPlatform.Enrollment.Proxies;
using PortalPlatform.Enrollment.RecordingDemographics;
using PortalPlatform.Enrollment.Registering;
using PortalPlatform.Enrollment.Revoking;
using PortalPlatform.Enrollment.Settings;
using AccessRevoked = PortalPlatform.Enrollment.Revoking.AccessRevoked;
using ProxyAccessGranted = PortalPlatform.Enrollment.Proxies.ProxyAccessGranted;
using ProxyAccessRevoked = PortalPlatform.Enrollment.Proxies.ProxyAccessRevoked;
using RegistrationCompleted = PortalPlatform.Enrollment.Registering.RegistrationCompleted;

namespace PortalPlatform.Enrollment.Tests.Domain;

/// <summary>The rules of portal access as pure functions: given these events, when this command, then these events (or this refusal).</summary>
public sealed class PortalAccessDecisionTests
{
    private static readonly Guid Practice = Guid.Parse("6f1c2d4e-0000-4000-8000-000000000001");
    private const string Patient = "EHR-1001";
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);
    private static readonly Actor Admin = new("u-admin", "admin");
    private static readonly Actor Provider = new("u-provider", "provider");
    private static readonly Actor Clerk = new("u-staff", "staff");
    private static readonly PracticePortalSettings AllUsers = PracticePortalSettings.DefaultFor(Practice) with { PracticeName = "Northside Clinic" };
    private static readonly PracticePortalSettings AdminsOnly = AllUsers with { WhoCanInvite = WhoCanInvite.AdminsOnly };
    private static readonly Guid FirstInvitation = Guid.Parse("00000000-0000-4000-8000-0000000000a1");
    private static readonly Guid SecondInvitation = Guid.Parse("00000000-0000-4000-8000-0000000000a2");

    private static DemographicsRecorded Demographics(DateOnly? born = null, string? email = "ada@example.org", string? phone = "+12015550100") =>
        new(Practice, Patient, "Ada", "Lovelace", born ?? new DateOnly(1980, 12, 10), email, phone, "ehr", Now.AddDays(-30));

    private static PortalAccessState Given(params IPortalAccessEvent[] events) => PortalAccessState.Fold(Practice, Patient, events);

    private static PortalAccessState Invited(Guid? invitation = null) =>
        Given(Demographics(), Issued(invitation ?? FirstInvitation, PortalStatus.NotInvited));

    private static InvitationIssued Issued(Guid invitation, PortalStatus previous, DateTimeOffset? at = null) =>
        new(Practice, Patient, invitation, at ?? Now.AddDays(-20), (at ?? Now.AddDays(-20)).AddDays(14), "u-admin", "Northside Clinic", "Ada",
            new DateOnly(1980, 12, 10), "ada@example.org", "+12015550100", InvitationTemplate.Invitation, null, previous);

    private static PortalAccessState Enrolled() => Given(Demographics(), Issued(FirstInvitation, PortalStatus.NotInvited),
        new RegistrationCompleted(Practice, Patient, FirstInvitation, Guid.NewGuid(), Now.AddDays(-19)));

    private static PortalAccessState Revoked() => PortalAccessState.After(Enrolled(),
        new AccessRevoked(Practice, Patient, RevocationReason.Privacy, null, "u-admin", "admin", Now.AddDays(-1), PortalStatus.Enrolled, null));

    private static PortalAccessState Expired() => PortalAccessState.After(Invited(), new InvitationExpired(Practice, Patient, FirstInvitation, Now.AddDays(-6)));

    private static PortalAccessState Locked() => PortalAccessState.After(Invited(), new VerificationLocked(Practice, Patient, FirstInvitation, 5, Now.AddDays(-2)));

    private static ProxyInvited Caregiver(Guid proxyId, Guid invitationId) =>
        new(Practice, Patient, proxyId, invitationId, "Grace", "Hopper", new DateOnly(1970, 1, 1), "daughter", "grace@example.org", null,
            "Northside Clinic", "u-admin", Now.AddDays(-10), Now.AddDays(4));

    private static Decision When(PortalAccessState state, PortalAccessCommand command) => command.Decide(state);

    private static InvitePatient Invite(Actor actor, PracticePortalSettings? settings = null, string? email = null, string? phone = null) =>
        new(SecondInvitation, email, phone, settings ?? AllUsers, actor, Now);

    [Fact]
    public void Any_staff_user_may_invite_when_the_practice_allows_all_users()
    {
        var decision = When(Given(Demographics()), Invite(Clerk));

        var issued = Assert.IsType<InvitationIssued>(Assert.Single(decision.Events));
        Assert.Equal(("ada@example.org", "+12015550100"), (issued.Email, issued.Phone));
        Assert.Equal(Now.AddDays(14), issued.ExpiresAt);
        Assert.Equal(InvitationTemplate.Invitation, issued.Template);
    }

    [Fact]
    public void Only_admins_may_invite_when_the_practice_says_admins_only()
    {
        Assert.Equal(RejectionKind.Forbidden, When(Given(Demographics()), Invite(Clerk, AdminsOnly)).Rejection);
        Assert.Equal(RejectionKind.Forbidden, When(Given(Demographics()), Invite(Provider, AdminsOnly)).Rejection);
        Assert.IsType<InvitationIssued>(Assert.Single(When(Given(Demographics()), Invite(Admin, AdminsOnly)).Events));
    }

    [Fact]
    public void Staff_may_override_email_and_phone_per_invitation()
    {
        var issued = (InvitationIssued)When(Given(Demographics()), Invite(Clerk, phone: "+12015550199")).Events[0];

        Assert.Equal(("ada@example.org", "+12015550199"), (issued.Email, issued.Phone));
    }

    [Fact]
    public void An_invitation_needs_an_email_or_a_phone()
    {
        var decision = When(Given(Demographics(email: null, phone: null)), Invite(Clerk));

        Assert.Equal((RejectionKind.Invalid, "email"), (decision.Rejection, decision.Field));
    }

    [Fact]
    public void An_enrolled_patient_cannot_be_invited()
    {
        Assert.Equal(RejectionKind.Conflict, When(Enrolled(), Invite(Admin)).Rejection);
    }

    [Fact]
    public void A_patient_without_demographics_cannot_be_invited()
    {
        Assert.Equal(RejectionKind.NotFound, When(Given(), Invite(Admin)).Rejection);
    }

    [Fact]
    public void Re_inviting_after_a_revocation_issues_a_reinvitation_that_voids_the_old_one()
    {
        var issued = Assert.IsType<InvitationIssued>(Assert.Single(When(Revoked(), Invite(Clerk)).Events));

        Assert.Equal(InvitationTemplate.Reinvitation, issued.Template);
        Assert.Equal(FirstInvitation, issued.ReplacesInvitationId);
        Assert.Equal(PortalStatus.AccessRevoked, issued.PreviousStatus);
    }

    [Fact]
    public void Re_inviting_a_patient_who_never_had_an_account_sends_the_first_invitation_text_even_after_a_revocation()
    {
        var revokedWhileInvited = PortalAccessState.After(Invited(),
            new AccessRevoked(Practice, Patient, RevocationReason.Privacy, null, "u-admin", "admin", Now.AddDays(-1), PortalStatus.Invited, FirstInvitation));

        var issued = Assert.IsType<InvitationIssued>(Assert.Single(When(revokedWhileInvited, Invite(Clerk)).Events));

        Assert.Equal(InvitationTemplate.Invitation, issued.Template);
    }

    [Fact]
    public void Revoking_the_patient_revokes_every_caregiver_active_or_invited_with_the_patient_and_voids_an_invitation_not_taken_up()
    {
        var (active, invited, withdrawn, activeInvitation, pendingInvitation) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var state = Given(Demographics(), Issued(FirstInvitation, PortalStatus.NotInvited),
            new RegistrationCompleted(Practice, Patient, FirstInvitation, Guid.NewGuid(), Now.AddDays(-19)),
            Caregiver(active, activeInvitation), Caregiver(invited, pendingInvitation), Caregiver(withdrawn, Guid.NewGuid()),
            new ProxyAccessGranted(Practice, Patient, active, activeInvitation, "daughter", "u-admin", Now.AddDays(-9)),
            new ProxyAccessRevoked(Practice, Patient, withdrawn, "u-admin", Now.AddDays(-8)));

        var events = When(state, new RevokeAccess(RevocationReason.Privacy, null, Provider, Now)).Events;

        Assert.IsType<AccessRevoked>(events[0]);
        var caregivers = events.Skip(1).Cast<ProxyAccessRevoked>().ToList();
        Assert.Equal(new[] { active, invited }.Order(), caregivers.Select(r => r.ProxyId).Order());
        Assert.All(caregivers, r => Assert.Equal((Provider.Id, Now), (r.RevokedBy, r.RevokedAt)));
        Assert.Equal(pendingInvitation, caregivers.Single(r => r.ProxyId == invited).VoidedInvitationId);
        Assert.Null(caregivers.Single(r => r.ProxyId == active).VoidedInvitationId);
        Assert.All(events.Aggregate(state, PortalAccessState.After).Proxies.Values, p => Assert.Equal(ProxyStatus.Revoked, p.Status));
    }

    [Theory]
    [InlineData(PortalStatus.InviteExpired)]
    [InlineData(PortalStatus.VerificationLocked)]
    public void Re_inviting_after_expiry_or_lock_out_issues_a_fresh_invitation_and_voids_the_old_one(PortalStatus from)
    {
        var state = from == PortalStatus.InviteExpired ? Expired() : Locked();
        var issued = (InvitationIssued)When(state, Invite(Clerk)).Events.Single();
        var after = PortalAccessState.After(state, issued);

        Assert.Equal((SecondInvitation, FirstInvitation), (issued.InvitationId, issued.ReplacesInvitationId));
        Assert.Equal(InvitationTemplate.Invitation, issued.Template);
        Assert.Empty(When(after, new CompleteRegistration(FirstInvitation, Guid.NewGuid(), Now)).Events);
        Assert.Null(new RecordDelivery(FirstInvitation, Guid.NewGuid(), DeliveryChannel.Email, true, null, false, Now).Decide(after));
        Assert.IsType<RegistrationCompleted>(When(after, new CompleteRegistration(SecondInvitation, Guid.NewGuid(), Now)).Events.Single());
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("provider")]
    public void Admins_and_providers_may_revoke_with_a_reason(string role)
    {
        var revoked = Assert.IsType<AccessRevoked>(When(Enrolled(), new RevokeAccess(RevocationReason.Privacy, "court order", new Actor("u1", role), Now)).Events.Single());

        Assert.Equal((RevocationReason.Privacy, "u1", PortalStatus.Enrolled), (revoked.Reason, revoked.RevokedBy, revoked.PreviousStatus));
    }

    [Fact]
    public void Staff_without_admin_or_provider_role_may_not_revoke()
    {
        Assert.Equal(RejectionKind.Forbidden, When(Enrolled(), new RevokeAccess(RevocationReason.Other, null, Clerk, Now)).Rejection);
    }

    [Fact]
    public void Revocation_needs_one_of_the_listed_reasons()
    {
        var decision = When(Enrolled(), new RevokeAccess((RevocationReason)42, null, Admin, Now));

        Assert.Equal((RejectionKind.Invalid, "reason"), (decision.Rejection, decision.Field));
    }

    [Fact]
    public void Revoking_twice_is_a_conflict_and_revoking_a_never_invited_patient_too()
    {
        Assert.Equal(RejectionKind.Conflict, When(Revoked(), new RevokeAccess(RevocationReason.Other, null, Admin, Now)).Rejection);
        Assert.Equal(RejectionKind.Conflict, When(Given(Demographics()), new RevokeAccess(RevocationReason.Other, null, Admin, Now)).Rejection);
    }

    [Fact]
    public void Revoking_a_pending_invitation_voids_it()
    {
        var revoked = (AccessRevoked)When(Invited(), new RevokeAccess(RevocationReason.Security, null, Provider, Now)).Events.Single();
        var after = PortalAccessState.After(Invited(), revoked);

        Assert.Equal(FirstInvitation, revoked.VoidedInvitationId);
        Assert.Empty(When(after, new CompleteRegistration(FirstInvitation, Guid.NewGuid(), Now)).Events);
    }

    [Fact]
    public void An_invitation_expires_only_once_its_lifetime_has_passed()
    {
        var issuedAt = Now.AddDays(-20);
        Assert.Empty(When(Invited(), new ExpireInvitation(FirstInvitation, issuedAt.AddDays(14).AddSeconds(-1))).Events);
        Assert.IsType<InvitationExpired>(When(Invited(), new ExpireInvitation(FirstInvitation, issuedAt.AddDays(14))).Events.Single());
        Assert.Empty(When(Expired(), new ExpireInvitation(FirstInvitation, Now)).Events);
    }

    [Fact]
    public void A_lock_out_for_the_current_invitation_locks_and_one_for_a_voided_invitation_is_ignored()
    {
        Assert.IsType<VerificationLocked>(When(Invited(), new LockVerification(FirstInvitation, 5, Now)).Events.Single());
        Assert.Empty(When(Invited(), new LockVerification(SecondInvitation, 5, Now)).Events);
    }

    [Fact]
    public void Delivery_reports_are_recorded_per_channel_on_the_current_invitation_without_moving_the_access_version()
    {
        var invited = Invited();
        var delivered = new RecordDelivery(FirstInvitation, Guid.NewGuid(), DeliveryChannel.Sms, true, null, false, Now).Decide(invited)!;
        var failed = new RecordDelivery(FirstInvitation, Guid.NewGuid(), DeliveryChannel.Email, false, "mailbox full", true, Now).Decide(invited)!;

        Assert.Equal(DeliveryState.Delivered, DeliveryReceipts.StateOf(invited.Invitation!, DeliveryChannel.Sms, [delivered, failed]));
        Assert.Equal(DeliveryState.Failed, DeliveryReceipts.StateOf(invited.Invitation!, DeliveryChannel.Email, [delivered, failed]));
        Assert.IsNotAssignableFrom<IPortalAccessEvent>(delivered); // receipts live on their own stream, so the chart's ETag stays
    }

    [Fact]
    public void Cancelling_a_pending_invitation_restores_the_status_before_it()
    {
        var reinvited = PortalAccessState.After(Revoked(), When(Revoked(), Invite(Admin)).Events.Single());

        var cancelled = Assert.IsType<InvitationCancelled>(When(reinvited, new CancelInvitation(SecondInvitation, Clerk, Now)).Events.Single());

        Assert.Equal(PortalStatus.AccessRevoked, cancelled.RestoredStatus);
        Assert.Equal(RejectionKind.NotFound, When(reinvited, new CancelInvitation(FirstInvitation, Clerk, Now)).Rejection);
        Assert.Equal(RejectionKind.Conflict, When(Enrolled(), new CancelInvitation(FirstInvitation, Clerk, Now)).Rejection);
    }

    [Theory]
    [InlineData(17, false)]
    [InlineData(18, true)]
    [InlineData(85, true)]
    [InlineData(86, false)]
    public void Auto_invite_invites_adults_from_18_to_85(int age, bool invited)
    {
        var today = DateOnly.FromDateTime(Now.UtcDateTime);
        var state = Given(Demographics(born: today.AddYears(-age)));

        var decision = When(state, new AutoInvitePatient(SecondInvitation, AllUsers with { AutoInvite = true }, Now));

        Assert.Equal(invited, decision.Events.Count == 1);
    }

    [Fact]
    public void Auto_invite_needs_the_setting_an_email_a_phone_and_a_never_invited_patient()
    {
        var on = AllUsers with { AutoInvite = true };
        Assert.Empty(When(Given(Demographics()), new AutoInvitePatient(SecondInvitation, AllUsers, Now)).Events);
        Assert.Empty(When(Given(Demographics(email: null)), new AutoInvitePatient(SecondInvitation, on, Now)).Events);
        Assert.Empty(When(Given(Demographics(phone: null)), new AutoInvitePatient(SecondInvitation, on, Now)).Events);
        Assert.Empty(When(Invited(), new AutoInvitePatient(SecondInvitation, on, Now)).Events);
        Assert.Empty(When(Enrolled(), new AutoInvitePatient(SecondInvitation, on, Now)).Events);
        Assert.Empty(When(Revoked(), new AutoInvitePatient(SecondInvitation, on, Now)).Events);
        var issued = (InvitationIssued)When(Given(Demographics()), new AutoInvitePatient(SecondInvitation, on, Now)).Events.Single();
        Assert.Equal("auto-invite", issued.IssuedBy);
    }

    [Fact]
    public void A_caregiver_gets_proxy_access_when_their_registration_completes_and_loses_it_on_revocation()
    {
        var proxyId = Guid.NewGuid();
        var invited = (ProxyInvited)When(Enrolled(), new InviteProxy(proxyId, SecondInvitation, "Grace", "Hopper", new DateOnly(1970, 1, 1), "daughter",
            "grace@example.org", null, AllUsers, Clerk, Now)).Events.Single();
        var state = PortalAccessState.After(Enrolled(), invited);
        Assert.Equal(SecondInvitation, Assert.IsType<ProxyAccessRevoked>(When(state, new RevokeProxy(proxyId, Provider, Now)).Events.Single()).VoidedInvitationId);

        var granted = Assert.IsType<ProxyAccessGranted>(When(state, new CompleteRegistration(SecondInvitation, Guid.NewGuid(), Now)).Events.Single());
        state = PortalAccessState.After(state, granted);

        Assert.Equal(PortalStatus.Enrolled, state.Status);
        Assert.Equal(RejectionKind.Forbidden, When(state, new RevokeProxy(proxyId, Clerk, Now)).Rejection);
        Assert.Null(Assert.IsType<ProxyAccessRevoked>(When(state, new RevokeProxy(proxyId, Provider, Now)).Events.Single()).VoidedInvitationId);
    }

    [Fact]
    public void Recording_the_same_demographics_again_changes_nothing()
    {
        var d = Demographics();
        Assert.Empty(When(Given(d), new RecordDemographics(d.FirstName, d.LastName, d.DateOfBirth, d.Email, d.Phone, Actor.Ehr, Now)).Events);
        Assert.Single(When(Given(d), new RecordDemographics(d.FirstName, d.LastName, d.DateOfBirth, "new@example.org", d.Phone, Actor.Ehr, Now)).Events);
    }
}
