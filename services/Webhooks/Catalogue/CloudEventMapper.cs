using System.Net.Mime;
using System.Text;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using PortalPlatform.Contracts;

namespace PortalPlatform.Webhooks.Catalogue;

/// <summary>Turns an integration event into the CloudEvents 1.0 structured-mode JSON body every subscriber receives.</summary>
public static class CloudEventMapper
{
    private static readonly JsonEventFormatter Formatter = new(EventCatalogue.Json, default);

    public static CloudEvent ToCloudEvent(IIntegrationEvent integrationEvent)
    {
        var entry = EventCatalogue.For(integrationEvent.GetType());
        return new CloudEvent
        {
            Id = integrationEvent.EventId.ToString(),
            Type = entry.CloudEventType,
            Source = SourceOf(integrationEvent.PracticeId, entry.Producer),
            Subject = integrationEvent.PatientId,
            Time = integrationEvent.OccurredAt,
            DataContentType = MediaTypeNames.Application.Json,
            Data = EventCatalogue.DataOf(integrationEvent),
        };
    }

    /// <summary><c>/practices/{practiceId}/enrollment</c>: the practice and the service the event comes from.</summary>
    public static Uri SourceOf(Guid practiceId, string producer) => new($"/practices/{practiceId}/{producer}", UriKind.Relative);

    public static string ToJson(CloudEvent cloudEvent) =>
        Encoding.UTF8.GetString(Formatter.EncodeStructuredModeMessage(cloudEvent, out _).Span);

    /// <summary>The <c>Content-Type</c> of a structured-mode CloudEvents JSON body.</summary>
    public const string ContentType = "application/cloudevents+json";
}
