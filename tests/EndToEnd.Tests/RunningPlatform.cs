using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using PortalPlatform.Enrollment;
using PortalPlatform.Gateway;
using PortalPlatform.Gateway.Routing;
using PortalPlatform.Hosting.Local;
using PortalPlatform.IdentityVerification;
using PortalPlatform.Notification;
using PortalPlatform.Testing;

namespace PortalPlatform.EndToEnd.Tests;

/// <summary>
/// The whole platform as a browser meets it: the four services listening on loopback ports (the gateway in the
/// Development environment, so staff sign in through /dev/token), real PostgreSQL and RabbitMQ, the local mail and SMS
/// sinks, and Debian's headless Chromium driven by Playwright.
/// </summary>
public sealed class RunningPlatform : IsolatedServers
{
    private static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly List<IAsyncDisposable> _running = [];
    private IPlaywright? _playwright;

    public Uri GatewayAddress { get; private set; } = null!;
    public LocalMailSink Mail { get; private set; } = null!;
    public LocalSmsSink Sms { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Screenshots of each step, kept with the test output as artifacts.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "artifacts", "screenshots");

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var scratch = Path.Combine(Path.GetTempPath(), "portalplatform-e2e", Name);
        Mail = new LocalMailSink(Path.Combine(scratch, "mail"), Ports.Free());
        Sms = new LocalSmsSink(Path.Combine(scratch, "sms"), Ports.Free());
        await Task.WhenAll(Mail.StartAsync(), Sms.StartAsync());
        _running.Add(Mail);
        _running.Add(Sms);

        var gatewayPort = Ports.Free();
        GatewayAddress = new Uri($"http://127.0.0.1:{gatewayPort}");
        var enrollment = Start(new ServiceFactory<EnrollmentService>(this, EnrollmentService.Name));
        var identity = Start(new ServiceFactory<IdentityVerificationService>(this, IdentityVerificationService.Name, new Dictionary<string, string?>
        {
            ["Portal:PublicBaseUrl"] = GatewayAddress.ToString().TrimEnd('/'),
        }));
        var notification = Start(new ServiceFactory<NotificationService>(this, NotificationService.Name, new Dictionary<string, string?>
        {
            ["ConnectionStrings:smtp"] = Mail.ConnectionString,
            ["Sms:BaseUrl"] = Sms.BaseUrl.ToString(),
            ["Sms:ApiKey"] = Sms.ApiKey,
            ["Sms:From"] = "PortalPlatform",
        }));
        var gateway = new ServiceFactory<GatewayService>(this, GatewayService.Name, new Dictionary<string, string?>
        {
            [$"services:{ServiceRoutes.Enrollment}:http:0"] = enrollment,
            [$"services:{ServiceRoutes.IdentityVerification}:http:0"] = identity,
            [$"services:{ServiceRoutes.Notification}:http:0"] = notification,
        }) { EnvironmentName = "Development" };
        Start(gateway, gatewayPort);

        await DebianPackages.EnsureAsync(new Dictionary<string, string> { ["chromium"] = "/usr/bin/chromium" });
        Directory.CreateDirectory(ScreenshotDirectory);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    /// <summary>Starts a service on a loopback port and returns its address.</summary>
    private string Start<TEntryPoint>(ServiceFactory<TEntryPoint> service, int? port = null) where TEntryPoint : class
    {
        var listenOn = port ?? Ports.Free();
        service.UseKestrel(listenOn);
        service.StartServer();
        _running.Insert(0, service);
        return $"http://127.0.0.1:{listenOn}";
    }

    public override async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        foreach (var running in _running)
        {
            await running.DisposeAsync();
        }

        await base.DisposeAsync();
    }

    /// <summary>An API client of the gateway signed in through the Development token endpoint.</summary>
    public async Task<HttpClient> StaffClientAsync(Guid practiceId, string role, string userId = "api-admin")
    {
        var client = new HttpClient { BaseAddress = GatewayAddress };
        var response = await client.PostAsJsonAsync("/dev/token", new { practiceId, userId, name = userId, role });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
