using Microsoft.Playwright;
using PortalPlatform.Hosting.Local;

namespace PortalPlatform.AppHost.Tests;

/// <summary>One AppHost run with the demo seed (fresh temporary data folder), and Debian's Chromium.</summary>
public sealed class SeededPlatform : IAsyncLifetime
{
    private static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private IPlaywright _playwright = null!;

    public AppHostProcess Host { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The seed's summary line ("demo seed: practice ..." or "demo seed failed: ...").</summary>
    public string SeedLine { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await DebianPackages.EnsureAsync(new Dictionary<string, string> { ["chromium"] = "/usr/bin/chromium" });
        Host = AppHostProcess.Start(seed: true);
        await Host.WaitAllHealthyAsync(TimeSpan.FromMinutes(5));
        SeedLine = await Host.WaitForLineAsync("demo seed", TimeSpan.FromMinutes(3));
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ChromiumArgs });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await Host.DisposeAsync();
    }
}
