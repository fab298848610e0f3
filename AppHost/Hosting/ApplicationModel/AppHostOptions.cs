namespace PortalPlatform.Hosting.ApplicationModel;

/// <summary>
/// The AppHost's settings: AppHost/appsettings.json, then PORTAL_* environment variables, then the command line
/// (<c>--fresh</c>, <c>--no-seed</c>, <c>--data-dir DIR</c>, <c>--gateway-port N</c> ...; see docs/apphost.md).
/// </summary>
public sealed class AppHostOptions
{
    /// <summary>Everything the platform keeps between runs; relative paths are under the repository root.</summary>
    public string DataDirectory { get; set; } = ".data";

    /// <summary>Delete the data directory first and start from empty.</summary>
    public bool Fresh { get; set; }

    /// <summary>Load the demo practice, staff and patients once everything is healthy.</summary>
    public bool Seed { get; set; } = true;

    /// <summary>Also print every service's console output (it is always in the dashboard).</summary>
    public bool Verbose { get; set; }

    public TimeSpan HealthTimeout { get; set; } = TimeSpan.FromSeconds(180);

    public PortOptions Ports { get; set; } = new();
}

public sealed class PortOptions
{
    public int Gateway { get; set; } = 5100;
    public int Enrollment { get; set; } = 5101;
    public int IdentityVerification { get; set; } = 5102;
    public int Notification { get; set; } = 5103;
    public int Sms { get; set; } = 5104;
    public int Smtp { get; set; } = 2525;
    public int Dashboard { get; set; } = 5050;
    public int DashboardOtlpGrpc { get; set; } = 5051;
    public int Postgres { get; set; } = 55432;
    public int RabbitMq { get; set; } = 55672;
    public int RabbitMqManagement { get; set; } = 55673;
}
