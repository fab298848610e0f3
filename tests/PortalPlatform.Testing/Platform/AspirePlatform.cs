using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using PortalPlatform.AppHost;
using PortalPlatform.Hosting.Local;
using PortalPlatform.Hosting.Sinks;
using Xunit;

namespace PortalPlatform.Testing.Platform;

/// <summary>
/// The whole platform started through the real AppHost (Aspire.Hosting.Testing: DCP, the Aspire dashboard, every
/// resource of AppHost/Program.cs) from an empty data folder on free ports, plus Debian's headless Chromium.
/// One per test collection: starting it costs tens of seconds.
/// </summary>
public class AspirePlatform : IAsyncLifetime
{
    private static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly List<HttpClient> _clients = [];
    private IPlaywright? _playwright;

    public DistributedApplication App { get; private set; } = null!;
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "portalplatform-e2e", Guid.NewGuid().ToString("N")[..12]);
    public Uri GatewayAddress { get; private set; } = null!;
    public Uri DashboardAddress { get; private set; } = null!;

    /// <summary>The dashboard's login link (with its browser token), as the AppHost prints it.</summary>
    public Uri DashboardLoginUrl { get; private set; } = null!;
    public string DashboardApiKey { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    public MailSinkClient Mail { get; private set; } = null!;
    public SmsSinkClient Sms { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>How long from the start call to every resource healthy.</summary>
    public TimeSpan StartedIn { get; private set; }

    /// <summary>Screenshots of each step, kept with the test output as artifacts.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "artifacts", "screenshots");

    /// <summary>Replicas of every service (DESIGN.md's --replicas).</summary>
    protected virtual int Replicas => 1;

    /// <summary>Changes to the AppHost's resources before the platform is built (a fixture's own settings).</summary>
    protected virtual void Configure(IDistributedApplicationTestingBuilder builder)
    {
    }

    public virtual async Task InitializeAsync()
    {
        var started = DateTime.UtcNow;
        var appHost = typeof(PlatformOptions).Assembly.EntryPoint!.DeclaringType!;
        var builder = await DistributedApplicationTestingBuilder.CreateAsync(appHost,
            [
                $"--Platform:DataDirectory={DataDirectory}", "--Platform:Seed=false", $"--Platform:Replicas={Replicas}",
                "--Platform:Ports:Gateway=0", "--Platform:Ports:Sms=0", "--Platform:Ports:Smtp=0", "--Platform:Ports:Mail=0",
                "--Platform:Ports:Postgres=0", "--Platform:Ports:RabbitMq=0", "--Platform:Ports:RabbitMqManagement=0",
                $"--AppHost:DashboardApiKey={DashboardApiKey}",
            ],
            (options, _) =>
            {
                options.DisableDashboard = false;
                options.AllowUnsecuredTransport = true;
            });
        // Enrollment sweeps for expired invitations every 5 s instead of every minute, so a test that moves its
        // Development clock (POST /dev/clock) past an invitation's lifetime sees the expiry within seconds.
        builder.Resources.Single(r => r.Name == "enrollment").Annotations
            .Add(new EnvironmentCallbackAnnotation("InvitationExpiry__SweepInterval", () => "00:00:05"));
        // Resources' console output stays on the dashboard; the test log gets warnings and errors only.
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        Configure(builder);
        App = await builder.BuildAsync();
        using var startup = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await App.StartAsync(startup.Token);
        foreach (var resource in new[] { "postgres", "rabbitmq", "mail", "sms", "enrollment", "identity-verification", "notification", "webhooks", "gateway" })
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, startup.Token);
        }

        StartedIn = DateTime.UtcNow - started;
        GatewayAddress = App.GetEndpoint("gateway", "http");
        DashboardLoginUrl = (await App.GetDashboardUrlAsync(startup.Token))!;
        DashboardAddress = new Uri(DashboardLoginUrl.GetLeftPart(UriPartial.Authority));
        Mail = new MailSinkClient(Track(new HttpClient { BaseAddress = App.GetEndpoint("mail", "http") }));
        Sms = new SmsSinkClient(Track(new HttpClient { BaseAddress = App.GetEndpoint("sms", "http") }));

        await DebianPackages.EnsureAsync(new Dictionary<string, string> { ["chromium"] = "/usr/bin/chromium" });
        Directory.CreateDirectory(ScreenshotDirectory);
        // Expectations wait for what the page will show; 5 s is too short where the whole platform shares 2 cores.
        Assertions.SetDefaultExpectTimeout(30_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ChromiumArgs });
    }

    public virtual async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        if (App is not null)
        {
            await App.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>An API client of the gateway signed in through the Development token endpoint.</summary>
    public async Task<HttpClient> StaffClientAsync(Guid practiceId, string role, string userId = "api-admin")
    {
        var client = Track(new HttpClient { BaseAddress = GatewayAddress });
        var response = await client.PostAsJsonAsync("/dev/token", new { practiceId, userId, name = userId, role });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>An anonymous client of the gateway (patients).</summary>
    public HttpClient AnonymousClient() => Track(new HttpClient { BaseAddress = GatewayAddress });

    /// <summary>A client of the Aspire dashboard's telemetry API.</summary>
    public HttpClient DashboardApiClient()
    {
        var client = Track(new HttpClient { BaseAddress = DashboardAddress });
        client.DefaultRequestHeaders.Add("x-api-key", DashboardApiKey);
        return client;
    }

    public Task ScreenshotAsync(IPage page, string step) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, $"{step}.png"), FullPage = true });

    private HttpClient Track(HttpClient client)
    {
        _clients.Add(client);
        return client;
    }
}
