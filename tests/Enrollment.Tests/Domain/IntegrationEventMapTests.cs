using System.Text.Json;
using JasperFx.Events;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.Messaging;
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
using AccessRevoked = PortalPlatform.Enrollment.Revoking.AccessRevoked;

namespace PortalPlatform.Enrollment.Tests.Domain;

/// <summary>What leaves the service for a stored event: the right messages, stable ids, and no contact data or notes on broadcasts.</summary>
public sealed class IntegrationEventMapTests
{
    private static readonly Guid Practice = Guid.NewGuid();
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);

    private static IEvent Stored<T>(T data, long version) where T : notnull => new Event<T>(data) { Id = Guid.NewGuid(), Version = version };

    [Fact]
    public void An_issued_invitation_is_broadcast_without_contact_data_and_sent_with_it_to_identity_verification_only()
    {
        var issued = new InvitationIssued(Practice, "P-1", Guid.NewGuid(), Now, Now.AddDays(14), "u-1", "Northside", "Ada",
            new DateOnly(1980, 12, 10), "ada@example.org", "+12015550100", InvitationTemplate.Reinvitation, Guid.NewGuid(), PortalStatus.AccessRevoked);

        var messages = new IntegrationEvents().Map(Stored(issued, 4)).ToList();

        var broadcast = messages.OfType<IIntegrationEvent>().ToList();
        Assert.Equal([typeof(InviteIssued), typeof(PortalStatusChanged)], broadcast.Select(m => m.GetType()));
        Assert.All(broadcast, m => Assert.DoesNotContain("ada@example.org", JsonSerializer.Serialize(m, m.GetType())));
        Assert.All(broadcast, m => Assert.DoesNotContain("5550100", JsonSerializer.Serialize(m, m.GetType())));
        var command = Assert.Single(messages.OfType<CreateRegistration>());
        Assert.Equal(("ada@example.org", "+12015550100", InvitationTemplate.Reinvitation), (command.Email, command.Phone, command.Template));
        var changed = Assert.Single(broadcast.OfType<PortalStatusChanged>());
        Assert.Equal((PortalStatus.AccessRevoked, PortalStatus.Invited, 4L), (changed.PreviousStatus, changed.Status, changed.Version));
    }

    [Fact]
    public void A_revocation_is_broadcast_with_reason_and_actor_but_never_the_note()
    {
        var revoked = new AccessRevoked(Practice, "P-1", RevocationReason.Privacy, "private remark", "dr-1", "provider", Now, PortalStatus.Enrolled, null);

        var messages = new IntegrationEvents().Map(Stored(revoked, 7)).ToList();

        var broadcast = Assert.IsType<PortalPlatform.Contracts.AccessRevoked>(messages[0]);
        Assert.Equal((RevocationReason.Privacy, "dr-1"), (broadcast.Reason, broadcast.RevokedBy));
        Assert.All(messages, m => Assert.DoesNotContain("private remark", JsonSerializer.Serialize(m, m.GetType())));
    }

    [Fact]
    public void Mapping_the_same_stored_event_again_gives_the_same_message_ids()
    {
        var stored = Stored(new InvitationExpired(Practice, "P-1", Guid.NewGuid(), Now), 3);
        var map = new IntegrationEvents();

        var first = map.Map(stored).Cast<IIntegrationEvent>().Select(m => m.EventId).ToList();
        var again = map.Map(stored).Cast<IIntegrationEvent>().Select(m => m.EventId).ToList();

        Assert.Equal(2, first.Distinct().Count());
        Assert.Equal(first, again);
    }

    [Fact]
    public void Delivery_reports_and_demographics_stay_inside_the_service()
    {
        var map = new IntegrationEvents();

        Assert.Empty(map.Map(Stored(new InvitationDelivered(Practice, "P-1", Guid.NewGuid(), Guid.NewGuid(), DeliveryChannel.Email, Now), 3)));
        Assert.Empty(map.Map(Stored(new DemographicsRecorded(Practice, "P-1", "Ada", "L", new DateOnly(1980, 1, 1), "a@b.org", null, "ehr", Now), 1)));
    }
}
