using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PortalPlatform.ServiceDefaults.Security;
using PortalPlatform.Testing;

namespace PortalPlatform.Enrollment.Tests.Infrastructure;

/// <summary>
/// The real Enrollment service, in-process, on this test class's own database and RabbitMQ vhost, with a fake clock
/// and a test bus playing the other services. Each test uses its own practice, so tests of a class do not meet.
/// </summary>
public class EnrollmentServers : IsolatedServers
{
    public const string ExpirySweepInterval = "00:01:00";

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
    public WebApplicationFactory<EnrollmentService> Service { get; private set; } = null!;
    public MessageObserver Messages { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Messages = await MessageObserver.StartAsync(RabbitMqConnectionString);
        Service = await StartServiceAsync();
    }

    /// <summary>Starts (another) instance of the service on the same servers; waits until /health says database and broker are ready.</summary>
    public async Task<WebApplicationFactory<EnrollmentService>> StartServiceAsync(IDictionary<string, string?>? overrides = null, bool waitUntilHealthy = true)
    {
        var settings = ConfigurationFor(EnrollmentService.Name);
        settings["InvitationExpiry:SweepInterval"] = ExpirySweepInterval;
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var factory = new ServiceFactory<EnrollmentService>(this, EnrollmentService.Name, settings)
            .WithWebHostBuilder(web =>
            {
                web.ConfigureTestServices(services =>
                {
                    services.RemoveAll<TimeProvider>();
                    services.AddSingleton<TimeProvider>(Clock);

                    // Tokens live in real time even when the test moves the service's clock by days.
                    services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, jwt => jwt.TimeProvider = TimeProvider.System);
                });
            });
        var client = factory.CreateClient();
        if (waitUntilHealthy)
        {
            await Eventually.TrueAsync(async () => (await client.GetAsync("/health")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "Enrollment healthy");
        }

        return factory;
    }

    /// <summary>Makes <paramref name="service"/> the instance later tests and the clean-up use (after a test restarted the service).</summary>
    public void ReplaceService(WebApplicationFactory<EnrollmentService> service) => Service = service;

    public HttpClient ClientFor(Guid practiceId, string role, string userId = "u-1", WebApplicationFactory<EnrollmentService>? service = null)
    {
        var host = service ?? Service;
        var token = StaffTokens.Issue(new StaffUser(practiceId, userId, "Dr Test", role));
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public override async Task DisposeAsync()
    {
        if (Service is not null)
        {
            await Service.DisposeAsync();
        }

        if (Messages is not null)
        {
            await Messages.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}
