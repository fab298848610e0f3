using System.Security.Cryptography;

namespace PortalPlatform.Hosting.Local;

/// <summary>The SMS sink hosted inside the caller's process on a loopback port, for tests and benchmarks.</summary>
public sealed class LocalSmsSink(string directory, int port) : IAsyncDisposable
{
    private WebApplication? _app;
    private SmsSinkStore? _store;
    private SmsStatusReporter? _reporter;

    public int Port { get; } = port;

    /// <summary>The bearer key the sink accepts (random unless set).</summary>
    public string ApiKey { get; init; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>Where the sink posts delivery-status callbacks (none unless set).</summary>
    public Uri? StatusCallbackUrl { get; init; }

    /// <summary>The per-deployment secret its callbacks are signed with (<c>whsec_</c> + base64 of 32 random bytes unless set).</summary>
    public string StatusCallbackSecret { get; init; } = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>Base address of the provider API, as the Notification service reads <c>Sms:BaseUrl</c>.</summary>
    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/");

    private SmsSinkStore Store => _store ??= new SmsSinkStore(directory, ApiKey);

    /// <inheritdoc cref="SmsSinkStore.FailNext"/>
    public void FailNext(int count, int statusCode = StatusCodes.Status503ServiceUnavailable) => Store.FailNext(count, statusCode);

    /// <inheritdoc cref="SmsSinkStore.ReadAll"/>
    public IReadOnlyList<CapturedSms> ReadAll() => Store.ReadAll();

    /// <inheritdoc cref="SmsStatusReporter.ReportAsync"/>
    public Task<System.Net.HttpStatusCode> ReportStatusAsync(CapturedSms message, string status, string? error = null, CancellationToken ct = default) =>
        (Reporter ?? throw new InvalidOperationException("set StatusCallbackUrl to report statuses")).ReportAsync(message, status, error, ct);

    private SmsStatusReporter? Reporter => StatusCallbackUrl is null ? null : _reporter ??= new SmsStatusReporter(StatusCallbackUrl, StatusCallbackSecret);

    public async Task StartAsync(Action<string>? log = null, CancellationToken ct = default)
    {
        if (_app is not null)
        {
            return;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, Port));
        var app = builder.Build();
        app.MapSmsProvider(Store, Reporter);
        await app.StartAsync(ct);
        _app = app;
        log?.Invoke($"SMS sink (HTTP) listening on {BaseUrl}");
    }

    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }

        _reporter?.Dispose();
        _reporter = null;
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
