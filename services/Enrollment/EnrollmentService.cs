namespace PortalPlatform.Enrollment;

/// <summary>Names the service; tests host it through this type (WebApplicationFactory&lt;EnrollmentService&gt;).</summary>
public sealed class EnrollmentService
{
    public const string Name = "enrollment";
}
