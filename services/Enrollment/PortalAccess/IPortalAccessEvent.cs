namespace PortalPlatform.Enrollment.PortalAccess;

// The events of a patient's portal-access stream (one stream per patient per practice), named for what happened,
// each declared in the slice that decides it. They stay inside Enrollment; IntegrationEvents.cs decides what leaves.

/// <summary>Every event of the stream says whose stream it is, so projections across patients and the outbox need nothing else.</summary>
public interface IPortalAccessEvent
{
    Guid PracticeId { get; }

    string PatientId { get; }
}
