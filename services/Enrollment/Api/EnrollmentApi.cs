using PortalPlatform.Enrollment.AccessRequests;
using PortalPlatform.Enrollment.Cancelling;
using PortalPlatform.Enrollment.Chart;
using PortalPlatform.Enrollment.Dashboard;
using PortalPlatform.Enrollment.Inviting;
using PortalPlatform.Enrollment.Proxies;
using PortalPlatform.Enrollment.RecordingDemographics;
using PortalPlatform.Enrollment.Revoking;
using PortalPlatform.Enrollment.Settings;
using PortalPlatform.ServiceDefaults.Security;

namespace PortalPlatform.Enrollment.Api;

/// <summary>The staff API of DESIGN.md that belongs to Enrollment: the route groups, each slice maps its own endpoints.</summary>
public static class EnrollmentApi
{
    public static IEndpointRouteBuilder MapEnrollmentApi(this IEndpointRouteBuilder app)
    {
        var patient = app.MapGroup("/api/patients/{patientId}")
            .RequireAuthorization(StaffPolicies.Staff)
            .AddEndpointFilter<PatientIdFilter>()
            .WithTags("Patients")
            .ProducesProblem(StatusCodes.Status404NotFound);
        DemographicsEndpoints.Map(patient);

        var portal = patient.MapGroup("/portal").WithTags("Portal access");
        ChartEndpoints.Map(portal);
        InviteEndpoint.Map(portal);
        CancelInvitationEndpoint.Map(portal);
        RevokeEndpoint.Map(portal);
        ProxyEndpoints.Map(portal);

        var practice = app.MapGroup("/api/practice").RequireAuthorization(StaffPolicies.Staff).WithTags("Practice");
        SettingsEndpoints.Map(practice);
        DashboardEndpoint.Map(practice);
        AccessRequestEndpoints.Map(practice);
        return app;
    }
}
