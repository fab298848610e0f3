using System.Security.Cryptography;

namespace PortalPlatform.Hosting.Local;

/// <summary>The SMS sink hosted inside the caller's process on a loopback port, for tests and benchmarks.</summary>
public sealed class LocalSmsSink(string directory, int port) : IAsyncDisposable
{
    private WebApplication? _app;
    private SmsSinkStore? _store;

    public int Port { get; } = port;

    /// <summary>The bearer key the sink accepts (random unless set).</summary>
    public string ApiKey { get; init; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>Base address of the provider API, as the Notification service reads <c>Sms:BaseUrl</c>.</summary>
    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/");

    private SmsSinkStore Store => _store ??= new SmsSinkStore(directory, ApiKey);

    /// <inheritdoc cref="SmsSinkStore.FailNext"/>
    public void FailNext(int count, int statusCode = StatusCodes.Status503ServiceUnavailable) => Store.FailNext(count, statusCode);

    /// <inheritdoc cref="SmsSinkStore.ReadAll"/>
    public IReadOnlyList<CapturedSms> ReadAll() => Store.ReadAll();

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
        app.MapSmsProvider(Store);
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
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
