namespace PortalPlatform.Webhooks.Inbound;

/// <summary>
/// An integration event as it goes out to subscribers: its CloudEvents JSON body, kept so that retries and replays
/// send exactly the same bytes. Same id as the event.
/// </summary>
public sealed record ReceivedEvent(
    Guid Id, Guid PracticeId, string PatientId, string Type, DateTimeOffset OccurredAt, DateTimeOffset ConsumedAt, string Body);
