using MassTransit;
using PortalPlatform.Webhooks.Catalogue;

namespace PortalPlatform.Webhooks.Inbound;

public static class IntegrationEventConsumers
{
    /// <summary>The webhooks service's own queue for the integration events.</summary>
    public const string QueueName = "webhooks.integration-events";

    /// <summary>
    /// One consumer per catalogued event type, all on one queue bound to every event's exchange, consumed one at a
    /// time: a patient's deliveries are queued in the order the events arrive (see PatientQueues).
    /// </summary>
    public static IBusRegistrationConfigurator AddIntegrationEventConsumers(this IBusRegistrationConfigurator bus)
    {
        foreach (var entry in EventCatalogue.Entries)
        {
            bus.AddConsumer(typeof(IntegrationEventConsumer<>).MakeGenericType(entry.EventType))
                .Endpoint(endpoint =>
                {
                    endpoint.Name = QueueName;
                    endpoint.ConcurrentMessageLimit = 1;
                });
        }

        return bus;
    }
}
