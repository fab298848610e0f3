using System.Text.Json.Serialization;
using PortalPlatform.Contracts;
using PortalPlatform.Enrollment.PortalAccess;
using PortalPlatform.ServiceDefaults;

namespace PortalPlatform.Enrollment.Delivering;

/// <summary>
/// A delivery receipt from Notification. Receipts are kept on a stream of their own beside the patient's access
/// stream: staff do not decide on them, so they must not move the access stream's version (the chart's ETag) and
/// make a chart opened before an email was accepted fail with 412, or collide with a staff command.
/// </summary>
public interface IDeliveryReceipt
{
    Guid InvitationId { get; }

    DeliveryChannel Channel { get; }

    [JsonIgnore]
    DateTimeOffset At { get; }
}

/// <summary>The mail server or SMS provider accepted the invitation on one channel.</summary>
public sealed record InvitationDelivered(
    Guid PracticeId, string PatientId, Guid InvitationId, Guid DeliveryId, DeliveryChannel Channel,
    DateTimeOffset DeliveredAt) : IDeliveryReceipt
{
    [JsonIgnore]
    public DateTimeOffset At => DeliveredAt;
}

/// <summary>The invitation could not be delivered on one channel.</summary>
public sealed record InvitationDeliveryFailed(
    Guid PracticeId, string PatientId, Guid InvitationId, Guid DeliveryId, DeliveryChannel Channel,
    string Reason, bool Permanent, DateTimeOffset FailedAt) : IDeliveryReceipt
{
    [JsonIgnore]
    public DateTimeOffset At => FailedAt;
}

public enum DeliveryState
{
    NotRequested,
    Pending,
    Delivered,
    Failed,
}

public sealed record RecordDelivery(
    Guid InvitationId, Guid DeliveryId, DeliveryChannel Channel, bool Delivered, string? FailureReason, bool Permanent, DateTimeOffset Now)
{
    /// <summary>The receipt to keep, or null: a voided invitation's delivery report changes nothing.</summary>
    public IDeliveryReceipt? Decide(PortalAccessState state)
    {
        if (state.PendingInvitation?.Id != InvitationId)
        {
            return null;
        }

        return Delivered
            ? new InvitationDelivered(state.PracticeId, state.PatientId, InvitationId, DeliveryId, Channel, Now)
            : new InvitationDeliveryFailed(state.PracticeId, state.PatientId, InvitationId, DeliveryId, Channel, FailureReason ?? "unknown", Permanent, Now);
    }
}

public static class DeliveryReceipts
{
    /// <summary>The receipts stream that belongs to a patient's access stream.</summary>
    public static Guid StreamIdOf(Guid accessStreamId) => DeterministicGuid.Create(accessStreamId, "delivery-receipts");

    /// <summary>Where an invitation stands on one channel, from the receipts about it (the latest wins).</summary>
    public static DeliveryState StateOf(Invitation invitation, DeliveryChannel channel, IEnumerable<IDeliveryReceipt> receipts)
    {
        var requested = channel == DeliveryChannel.Email ? invitation.Email : invitation.Phone;
        if (requested is null)
        {
            return DeliveryState.NotRequested;
        }

        return receipts.LastOrDefault(r => r.InvitationId == invitation.Id && r.Channel == channel) switch
        {
            InvitationDelivered => DeliveryState.Delivered,
            InvitationDeliveryFailed => DeliveryState.Failed,
            _ => DeliveryState.Pending,
        };
    }
}
