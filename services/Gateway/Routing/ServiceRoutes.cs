using PortalPlatform.ServiceDefaults.Security;
using Yarp.ReverseProxy.Configuration;

namespace PortalPlatform.Gateway.Routing;

/// <summary>
/// The public routes of DESIGN.md's HTTP table and the service each one reaches. Destinations come from Aspire's
/// service-discovery contract (<c>services:{name}:http:0</c>), which the AppHost and the tests fill in.
/// </summary>
public static class ServiceRoutes
{
    public const string Enrollment = "enrollment";
    public const string IdentityVerification = "identity-verification";
    public const string Notification = "notification";
    public const string Webhooks = "webhooks";

    /// <summary>Where the SMS provider posts delivery statuses (the same path on Notification).</summary>
    public const string SmsStatusCallbackPath = "/callbacks/sms/status";

    /// <summary>Rate-limiter policy of the anonymous patient endpoints.</summary>
    public const string PatientRateLimit = "patient";

    /// <summary>Rate-limiter policy of the SMS provider's status callback.</summary>
    public const string CallbackRateLimit = "callback";

    // Lower Order wins: the specific staff routes go before the catch-all that sends the rest of /api to Enrollment.
    public static IReadOnlyList<RouteConfig> Routes { get; } =
    [
        Staff("deliveries", "/api/patients/{patientId}/portal/deliveries", Notification, StaffPolicies.Staff, order: 0),
        Staff("access-code", "/api/patients/{patientId}/portal/invitations/{invitationId}/access-code", IdentityVerification, StaffPolicies.Staff, order: 0),
        Staff("revocation", "/api/patients/{patientId}/portal/revocation", Enrollment, StaffPolicies.CanRevoke, order: 0),
        Staff("webhooks", "/api/practice/webhooks/{**rest}", Webhooks, StaffPolicies.Admin, order: 0),
        Staff("portal-settings-change", "/api/practice/portal-settings", Enrollment, StaffPolicies.Admin, order: 0, methods: ["PUT"]),
        Staff("staff-api", "/api/{**rest}", Enrollment, StaffPolicies.Staff, order: 10),
        Patient("patient-api", "/portal/api/{**rest}", rateLimited: true),
        Patient("patient-register", "/register/{**rest}", rateLimited: true),
        Patient("patient-sign-in", "/sign-in/{**rest}", rateLimited: true),
        Patient("patient-assets", "/portal/{**rest}", rateLimited: false, order: 20),
        // The SMS provider's delivery-status callback: anonymous here, its signature is checked by Notification.
        new()
        {
            RouteId = "sms-status-callback",
            ClusterId = Notification,
            AuthorizationPolicy = "anonymous",
            RateLimiterPolicy = CallbackRateLimit,
            Match = new RouteMatch { Path = SmsStatusCallbackPath, Methods = ["POST"] },
        },
    ];

    /// <summary>
    /// One cluster per service, addressed by its service-discovery name: <c>Microsoft.Extensions.ServiceDiscovery</c>
    /// resolves it (<c>services:{name}:http:0</c> from the AppHost; with replicas that is DCP's proxy in front of them,
    /// under Kubernetes the Service) when YARP asks.
    /// </summary>
    public static IReadOnlyList<ClusterConfig> Clusters { get; } =
        [.. new[] { Enrollment, IdentityVerification, Notification, Webhooks }.Select(service => new ClusterConfig
        {
            ClusterId = service,
            Destinations = new Dictionary<string, DestinationConfig> { [service] = new() { Address = $"http://{service}" } },
        })];

    private static RouteConfig Staff(string id, string path, string cluster, string policy, int order, string[]? methods = null) => new()
    {
        RouteId = id,
        ClusterId = cluster,
        Order = order,
        AuthorizationPolicy = policy,
        Match = new RouteMatch { Path = path, Methods = methods },
    };

    private static RouteConfig Patient(string id, string path, bool rateLimited, int order = 0) => new()
    {
        RouteId = id,
        ClusterId = IdentityVerification,
        Order = order,
        AuthorizationPolicy = "anonymous",
        RateLimiterPolicy = rateLimited ? PatientRateLimit : null,
        Match = new RouteMatch { Path = path },
    };
}
