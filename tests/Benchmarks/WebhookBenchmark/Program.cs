using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using PortalPlatform.Contracts;
using PortalPlatform.ServiceDefaults.Security;
using PortalPlatform.Testing;
using PortalPlatform.Webhooks;
using PortalPlatform.Webhooks.Catalogue;
using PortalPlatform.Webhooks.Deliveries;

// Webhook delivery through the real service (RabbitMQ -> consume -> PostgreSQL -> signed POST) to a real receiver on
// loopback, next to a raw baseline measured in the same run: the same signed CloudEvents bodies POSTed straight to the
// same receiver by one HttpClient with the dispatcher's parallelism. Added latency is event published (a producer's
// relay publishes right after its commit) -> the receiver got it.
var burst = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 500;
var sequential = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100;
const int Patients = 50;
const int Parallelism = 16; // WebhookOptions.MaxParallelSends' default

var servers = new IsolatedServers();
await servers.InitializeAsync();
await using var receiver = await Receiver.StartAsync();
Console.WriteLine($"Webhook benchmark: {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Trim()}, servers: {servers.Servers.Source}");

await using var service = new BenchmarkServiceFactory(servers, new Dictionary<string, string?>
{
    ["Webhooks:AllowPrivateTargets"] = "true",
    ["Webhooks:PollInterval"] = "00:00:00.050",
    ["Logging:LogLevel:Default"] = "Warning",
});
var practice = Guid.NewGuid();
using var api = service.CreateClient();
api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
    TestIdentityProvider.Started.Issue(new StaffUser(practice, "admin-bench", "Bench Admin", StaffRoles.Admin)));
var created = await api.PostAsJsonAsync("/api/practice/webhooks", new { url = receiver.UrlOf("service") });
created.EnsureSuccessStatusCode();
var secret = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
await Until(async () => (await api.GetAsync("/health")).StatusCode == HttpStatusCode.OK, "the service healthy (its queue bound)");

var bus = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(new Uri(servers.RabbitMqConnectionString)));
await bus.StartAsync();
var publishedAt = new ConcurrentDictionary<string, DateTimeOffset>();

async Task<InviteIssued> PublishAsync(string patient)
{
    var now = DateTimeOffset.UtcNow;
    var invited = new InviteIssued(Guid.NewGuid(), practice, patient, now, Guid.NewGuid(), now.AddDays(14), false, null, "staff-7");
    publishedAt[invited.EventId.ToString()] = now;
    await bus.Publish(invited, context => context.MessageId = invited.EventId);
    return invited;
}

// Warm-up: JIT, connection pools, Marten's first queries.
for (var i = 0; i < 20; i++)
{
    await PublishAsync($"P-warm-{i % 5}");
}

await Until(() => Task.FromResult(receiver.Count("service") >= 20), "the warm-up events delivered");

// One at a time: the latency of a single event on a quiet system.
var quiet = new List<double>();
for (var i = 0; i < sequential; i++)
{
    var id = (await PublishAsync($"P-seq-{i % Patients}")).EventId.ToString();
    await Until(() => Task.FromResult(receiver.At("service", id) is not null), "an event delivered");
    quiet.Add((receiver.At("service", id)!.Value - publishedAt[id]).TotalMilliseconds);
}

quiet.Sort();

// A burst: every event published at once (8 publishers), measured until the last one arrived.
var start = DateTimeOffset.UtcNow;
var events = new ConcurrentBag<InviteIssued>();
await Parallel.ForEachAsync(Enumerable.Range(0, burst), new ParallelOptions { MaxDegreeOfParallelism = 8 },
    async (i, _) => events.Add(await PublishAsync($"P-burst-{i % Patients}")));
await Until(() => Task.FromResult(events.All(e => receiver.At("service", e.EventId.ToString()) is not null)), "every burst event delivered");
var arrivals = events.Select(e => receiver.At("service", e.EventId.ToString())!.Value).ToList();
var elapsed = arrivals.Max() - start;
var loaded = events.Select(e => (receiver.At("service", e.EventId.ToString())!.Value - publishedAt[e.EventId.ToString()]).TotalMilliseconds).Order().ToList();
var serviceRate = burst / elapsed.TotalSeconds;
await bus.StopAsync();

// Baseline: the same bodies, signed and POSTed by one HttpClient, no broker, no database.
using var http = new HttpClient();
var bodies = events.Select(e => (Id: e.EventId.ToString(), Body: CloudEventMapper.ToJson(CloudEventMapper.ToCloudEvent(e)))).ToList();

async Task<double> PostAsync((string Id, string Body) item)
{
    var now = DateTimeOffset.UtcNow;
    using var request = new HttpRequestMessage(HttpMethod.Post, receiver.UrlOf("raw")) { Content = new StringContent(item.Body, Encoding.UTF8, CloudEventMapper.ContentType) };
    request.Headers.Add("webhook-id", item.Id);
    request.Headers.Add("webhook-timestamp", now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
    request.Headers.Add("webhook-signature", WebhookSender.Sign(item.Id, now, item.Body, [secret]));
    var sent = Stopwatch.GetTimestamp();
    using var response = await http.SendAsync(request);
    response.EnsureSuccessStatusCode();
    return Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
}

var rawQuiet = new List<double>();
foreach (var item in bodies.Take(sequential))
{
    rawQuiet.Add(await PostAsync(item));
}

rawQuiet.Sort();
var clock = Stopwatch.StartNew();
await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (item, _) => await PostAsync(item));
var baselineRate = burst / clock.Elapsed.TotalSeconds;

Console.WriteLine($"raw baseline, {burst} signed POSTs, {Parallelism} in parallel: {baselineRate,8:0.0} events/s; one at a time: p50 {Percentile(rawQuiet, 50),7:0.0} ms  p99 {Percentile(rawQuiet, 99),7:0.0} ms");
Console.WriteLine($"service, {burst} events in a burst ({Patients} patients): {serviceRate,8:0.0} events/s ({elapsed.TotalSeconds:0.00} s), service/raw = {serviceRate / baselineRate:0.000}; published -> received p50 {Percentile(loaded, 50),7:0.0} ms  p99 {Percentile(loaded, 99),7:0.0} ms");
Console.WriteLine($"service, {sequential} events one at a time: published -> received p50 {Percentile(quiet, 50),7:0.0} ms  p99 {Percentile(quiet, 99),7:0.0} ms (raw POST p50 x{Percentile(quiet, 50) / Percentile(rawQuiet, 50):0.0})");
Console.WriteLine($"duplicates at the receiver: {receiver.Duplicates("service")} (at-least-once; 0 expected without failures)");

// The last line: the figures for tests/Benchmarks/run-all's merged JSON.
Console.WriteLine(JsonSerializer.Serialize(new SortedDictionary<string, double>(StringComparer.Ordinal)
{
    [$"webhook_burst{burst}_vs_raw_signed_posts_conc{Parallelism}"] = Math.Round(serviceRate / baselineRate, 3),
    ["webhook_event_published_to_receiver_p50_ms"] = Math.Round(Percentile(quiet, 50), 1),
    ["webhook_event_published_to_receiver_p99_ms"] = Math.Round(Percentile(quiet, 99), 1),
}));
return;

static async Task Until(Func<Task<bool>> condition, string what)
{
    var deadline = DateTime.UtcNow.AddMinutes(10);
    while (!await condition())
    {
        if (DateTime.UtcNow > deadline)
        {
            throw new TimeoutException($"waited 10 minutes for {what}");
        }

        await Task.Delay(2);
    }
}

static double Percentile(List<double> sorted, int p) =>
    sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];

/// <summary>An integrator's endpoint on a loopback port: answers 200 and records when each webhook-id first arrived, per path.</summary>
internal sealed class Receiver : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string Path, string Id), DateTimeOffset> _first = new();
    private readonly ConcurrentDictionary<string, int> _requests = new();
    private readonly WebApplication _app;
    private readonly int _port;

    private Receiver(WebApplication app, int port) => (_app, _port) = (app, port);

    public static async Task<Receiver> StartAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var receiver = new Receiver(app, port);
        app.MapPost("/{path}", async (string path, HttpRequest request) =>
        {
            var at = DateTimeOffset.UtcNow;
            using var reader = new StreamReader(request.Body);
            await reader.ReadToEndAsync();
            receiver._first.TryAdd((path, request.Headers["webhook-id"].ToString()), at);
            receiver._requests.AddOrUpdate(path, 1, (_, n) => n + 1);
            return Results.Text("ok");
        });
        await app.StartAsync();
        return receiver;
    }

    public string UrlOf(string path) => $"http://127.0.0.1:{_port}/{path}";

    public DateTimeOffset? At(string path, string webhookId) => _first.TryGetValue((path, webhookId), out var at) ? at : null;

    public int Count(string path) => _first.Keys.Count(k => k.Path == path);

    public int Duplicates(string path) => _requests.GetValueOrDefault(path) - Count(path);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>The real service with settings Program.cs can read while it builds (host settings, not late configuration).</summary>
internal sealed class BenchmarkServiceFactory(IsolatedServers servers, Dictionary<string, string?> settings)
    : ServiceFactory<WebhooksService>(servers, WebhooksService.Name, settings)
{
    private readonly Dictionary<string, string?> _all = new(servers.ConfigurationFor(WebhooksService.Name).Concat(settings));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseContentRoot(AppContext.BaseDirectory); // an Exe is not a test assembly: no content-root manifest lookup
        foreach (var (key, value) in _all)
        {
            builder.UseSetting(key, value);
        }
    }
}
