using System.Reflection;
using System.Text;
using MassTransit;
using MassTransit.Middleware;
using PortalPlatform.Contracts;
using PortalPlatform.Webhooks.Catalogue;

namespace PortalPlatform.Webhooks.Inbound;

public static class IntegrationEventConsumers
{
    /// <summary>The webhooks service's own queue for the integration events.</summary>
    public const string QueueName = "webhooks.integration-events";

    /// <summary>Events consumed at once, each of a different patient.</summary>
    public const int Partitions = 8;

    private static readonly MethodInfo AddOne = typeof(IntegrationEventConsumers).GetMethod(nameof(AddConsumer), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>
    /// One consumer per catalogued event type, all on one queue bound to every event's exchange. Events of different
    /// patients are consumed side by side; one patient's events go through one partition, one at a time in the order
    /// they arrive, so that patient's deliveries are queued in that order (see PatientQueues).
    /// </summary>
    public static IBusRegistrationConfigurator AddIntegrationEventConsumers(this IBusRegistrationConfigurator bus)
    {
        // One partitioner for the whole queue: a patient's events of every type share its partition.
        var partitioner = new Partitioner(Partitions, new Murmur3UnsafeHashGenerator());
        foreach (var entry in EventCatalogue.Entries)
        {
            AddOne.MakeGenericMethod(entry.EventType).Invoke(null, [bus, partitioner]);
        }

        return bus;
    }

    private static void AddConsumer<TEvent>(IBusRegistrationConfigurator bus, IPartitioner partitioner) where TEvent : class, IIntegrationEvent =>
        bus.AddConsumer<IntegrationEventConsumer<TEvent>>(consumer => consumer.Message<TEvent>(message =>
                message.UsePartitioner(partitioner, context => $"{context.Message.PracticeId:N}/{context.Message.PatientId}", Encoding.UTF8)))
            .Endpoint(endpoint =>
            {
                endpoint.Name = QueueName;
                endpoint.ConcurrentMessageLimit = Partitions;
            });
}
