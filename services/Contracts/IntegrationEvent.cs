namespace PortalPlatform.Contracts;

/// <summary>
/// What every integration event on RabbitMQ carries. Subscribers de-duplicate on <see cref="EventId"/>
/// (it is also the message's MessageId) and may ignore versions they do not understand.
/// </summary>
public interface IIntegrationEvent
{
    /// <summary>Unique id of this event; the same on every redelivery.</summary>
    Guid EventId { get; }

    /// <summary>The practice (tenant) the patient belongs to.</summary>
    Guid PracticeId { get; }

    /// <summary>The practice's own patient id (as in the EHR).</summary>
    string PatientId { get; }

    /// <summary>When it happened, in UTC.</summary>
    DateTimeOffset OccurredAt { get; }

    /// <summary>Schema version of this event type; additive changes keep the version, breaking ones raise it.</summary>
    int SchemaVersion { get; }
}

/// <summary>A command for exactly one service, sent to that service's own queue (never broadcast).</summary>
public interface IPortalCommand
{
    /// <summary>Unique id of this command; the same on every redelivery. Receivers de-duplicate on it.</summary>
    Guid CommandId { get; }
}
