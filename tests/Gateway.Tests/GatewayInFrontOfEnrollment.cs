using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using PortalPlatform.Enrollment;
using PortalPlatform.Gateway;
using PortalPlatform.Gateway.Routing;
using PortalPlatform.Hosting.Local;
using PortalPlatform.ServiceDefaults.Security;
using PortalPlatform.Testing;

namespace PortalPlatform.Gateway.Tests;

/// <summary>
/// The real gateway (in-process) in front of the real Enrollment service listening on a loopback port, both against
/// the test class's own PostgreSQL database and RabbitMQ virtual host.
/// </summary>
public class GatewayInFrontOfEnrollment : IsolatedServers
{
    /// <summary>Small on purpose, so a test reaches the limit in a few requests.</summary>
    public const int PatientRequestsPerWindow = 5;

    public ServiceFactory<EnrollmentService> Enrollment { get; private set; } = null!;
    public ServiceFactory<GatewayService> Gateway { get; private set; } = null!;
    public Uri EnrollmentAddress { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var port = Ports.Free();
        EnrollmentAddress = new Uri($"http://127.0.0.1:{port}");
        Enrollment = new ServiceFactory<EnrollmentService>(this, EnrollmentService.Name);
        Enrollment.UseKestrel(port);
        Enrollment.StartServer();
        Gateway = new ServiceFactory<GatewayService>(this, GatewayService.Name, new Dictionary<string, string?>
        {
            [$"services:{ServiceRoutes.Enrollment}:http:0"] = EnrollmentAddress.ToString().TrimEnd('/'),
            ["Gateway:PatientRequestsPerWindow"] = PatientRequestsPerWindow.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // An hour, so the window cannot roll over between a test's requests on a busy machine.
            ["Gateway:PatientRateLimitWindow"] = "01:00:00",
        });
        Gateway.StartServer();
    }

    public override async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Enrollment.DisposeAsync();
        await base.DisposeAsync();
    }

    public string TokenFor(Guid practiceId, string role, string userId = "user-1") =>
        StaffTokens.Issue(new StaffUser(practiceId, userId, $"Test {role}", role));

    /// <summary>A client of the gateway, signed in as a staff member of <paramref name="practiceId"/> when given.</summary>
    public HttpClient Client(Guid? practiceId = null, string role = StaffRoles.Admin)
    {
        var client = Gateway.CreateClient();
        if (practiceId is { } practice)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenFor(practice, role));
        }

        return client;
    }
}
