using PortalPlatform.Enrollment.PortalAccess;

namespace PortalPlatform.Enrollment.RecordingDemographics;

/// <summary>The EHR recorded (or changed) the patient's demographics; invitations default to them.</summary>
public sealed record DemographicsRecorded(
    Guid PracticeId, string PatientId, string FirstName, string LastName, DateOnly DateOfBirth,
    string? Email, string? Phone, string RecordedBy, DateTimeOffset RecordedAt) : IPortalAccessEvent;

public sealed record RecordDemographics(
    string FirstName, string LastName, DateOnly DateOfBirth, string? Email, string? Phone, Actor Actor, DateTimeOffset Now)
    : PortalAccessCommand(Actor, Now)
{
    /// <summary>Unchanged demographics append nothing.</summary>
    public override Decision Decide(PortalAccessState state)
    {
        var demographics = new Demographics(FirstName, LastName, DateOfBirth, Email, Phone);
        return demographics == state.Demographics
            ? Decision.Nothing
            : Decision.Of(new DemographicsRecorded(state.PracticeId, state.PatientId, FirstName, LastName, DateOfBirth, Email, Phone, Actor.Id, Now));
    }
}
