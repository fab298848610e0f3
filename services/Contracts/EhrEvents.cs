namespace PortalPlatform.Contracts;

/// <summary>Input from the EHR: a provider signed an encounter. Drives the practice's auto-invite rule.</summary>
public sealed record EncounterSigned(
    Guid EventId, Guid PracticeId, string PatientId, DateTimeOffset OccurredAt,
    Guid EncounterId, string SignedBy,
    int SchemaVersion = 1) : IIntegrationEvent;
