using JasperFx.Events;
using Marten;
using MassTransit;
using PortalPlatform.Enrollment.PortalAccess;
using PortalPlatform.ServiceDefaults;
using PortalPlatform.ServiceDefaults.EventStore;
using Integration = PortalPlatform.Contracts;

namespace PortalPlatform.Enrollment.AccessRequests;

/// <summary>What leaves Enrollment for the access-request events (part of the outbox map): ids, kinds and actors only.</summary>
public static class AccessRequestMessages
{
    public static IEnumerable<object> Map(IEvent stored)
    {
        switch (stored.Data)
        {
            case AccessRequested e:
                yield return new Integration.AccessRequested(
                    stored.IdFor<Integration.AccessRequested>(), e.PracticeId, e.PatientId, e.RequestedAt, e.RequestId, e.Kind, e.Proof);
                if (e is { Kind: Integration.AccessRequestKind.Review, RevokedBy: { } revokedBy })
                {
                    yield return new Integration.ReviewRequested(
                        stored.IdFor<Integration.ReviewRequested>(), e.PracticeId, e.PatientId, e.RequestedAt, e.RequestId, revokedBy);
                }

                break;
            case AccessRequestDeclined e:
                yield return new Integration.AccessRequestDeclined(
                    stored.IdFor<Integration.AccessRequestDeclined>(), e.PracticeId, e.PatientId, e.DeclinedAt, e.RequestId, e.Kind, e.DeclinedBy);
                if (e.Email is not null || e.Phone is not null)
                {
                    yield return new Integration.DeliverAccessRequestDeclined(
                        stored.IdFor<Integration.DeliverAccessRequestDeclined>(), e.PracticeId, e.PatientId, e.RequestId, e.Kind,
                        e.PracticeName, e.FirstName, e.Email, e.Phone);
                }

                break;
            case AccessRequestApproved e:
                yield return new Integration.AccessRequestApproved(
                    stored.IdFor<Integration.AccessRequestApproved>(), e.PracticeId, e.PatientId, e.ApprovedAt, e.RequestId, e.Kind, e.InvitationId, e.ApprovedBy);
                break;
        }
    }
}

/// <summary>
/// Identity-Verification verified a patient's proof: record the request on the patient's stream, once per command
/// (effect and inbox row in one transaction; a concurrent append makes MassTransit retry).
/// </summary>
public sealed class RequestAccessConsumer(IDocumentStore store, TimeProvider clock) : IConsumer<Integration.RequestAccess>
{
    private const string InboxName = "request-access";

    public async Task Consume(ConsumeContext<Integration.RequestAccess> context)
    {
        var command = context.Message;
        var cancellationToken = context.CancellationToken;
        await using var session = store.LightweightSession();
        if (await session.AlreadyProcessedAsync(InboxName, command.CommandId, cancellationToken))
        {
            return;
        }

        var requestId = DeterministicGuid.Create(command.CommandId, "access-request");
        var renewalId = DeterministicGuid.Create(command.CommandId, "renewal-invitation");
        var now = clock.GetUtcNow();
        await PortalAccessStream.DecideAsync(session, command.PracticeId, command.PatientId, expectedVersion: null,
            settings => new RecordAccessRequest(requestId, command.Proof, command.InvitationId, renewalId, settings, now), cancellationToken);
        await session.SaveChangesOnceAsync(InboxName, command.CommandId, clock, cancellationToken);
    }
}

public sealed class RequestAccessConsumerDefinition : ConsumerDefinition<RequestAccessConsumer>
{
    public RequestAccessConsumerDefinition() => EndpointName = Integration.CommandQueues.RequestAccess;
}
