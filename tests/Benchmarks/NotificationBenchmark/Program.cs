using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using MailKit.Net.Smtp;
using MailKit.Security;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using MimeKit;
using PortalPlatform.Contracts;
using PortalPlatform.Hosting.Local;
using PortalPlatform.Notification;
using PortalPlatform.ServiceDefaults.Messaging;
using PortalPlatform.Testing;

// Emails per second through real SMTP (aiosmtpd on loopback) and the time from a DeliverInvitation command on
// RabbitMQ to the message accepted by the SMTP server (the maildir file's time), with a raw MailKit baseline.
var burst = args.Length > 0 ? int.Parse(args[0]) : 500;
var sequential = args.Length > 1 ? int.Parse(args[1]) : 100;
const int Connections = 4;

var root = Path.Combine(Path.GetTempPath(), "portalplatform-notification-bench", Guid.NewGuid().ToString("N")[..8]);
var servers = new IsolatedServers();
await servers.InitializeAsync();
await using var baselineSink = new LocalMailSink(Path.Combine(root, "baseline"), Ports.Free());
await using var mail = new LocalMailSink(Path.Combine(root, "mail"), Ports.Free());
await using var sms = new LocalSmsSink(Path.Combine(root, "sms"), Ports.Free());
await Task.WhenAll(baselineSink.StartAsync(), mail.StartAsync(), sms.StartAsync());
Console.WriteLine($"Notification benchmark: {Environment.ProcessorCount} cores, servers: {servers.Servers.Source}, SMTP: aiosmtpd maildir on loopback");

// Where an email's time goes inside the service: the dispatcher's phases, the consumer, and PostgreSQL round trips.
using var phases = new PhaseMeter(mail.Port);

// Baseline: MailKit straight to the sink, no service, no database, no broker.
var baselineRate = 0.0;
foreach (var connections in new[] { 1, Connections })
{
    var machine = MachineCpu.Now();
    var sinkBefore = SinkCpu.Of(baselineSink.Port);
    var stopwatch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, connections).Select(async lane =>
    {
        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", baselineSink.Port, SecureSocketOptions.None);
        for (var i = lane; i < burst; i += connections)
        {
            using var message = new MimeMessage();
            message.From.Add(new MailboxAddress("Riverside Family Practice", "portal@riverside.example"));
            message.To.Add(MailboxAddress.Parse($"baseline{i}@example.com"));
            message.Subject = "Riverside Family Practice invites you to the patient portal";
            message.Body = new BodyBuilder { TextBody = new string('x', 600), HtmlBody = "<p>" + new string('x', 900) + "</p>" }.ToMessageBody();
            await client.SendAsync(message);
        }

        await client.DisconnectAsync(true);
    }));
    stopwatch.Stop();
    var sink = SinkCpu.Of(baselineSink.Port);
    Console.WriteLine($"baseline  MailKit direct, {connections} connection(s): {burst / stopwatch.Elapsed.TotalSeconds,8:0.0} emails/s ({burst} in {stopwatch.Elapsed.TotalSeconds:0.00} s); machine CPU busy {MachineCpu.BusySince(machine):P0}");
    Console.WriteLine($"  the sink per email: ran {(sink.Ran - sinkBefore.Ran).TotalMilliseconds / burst:0.00} ms, waited for a core {(sink.Waited - sinkBefore.Waited).TotalMilliseconds / burst:0.00} ms");
    baselineRate = burst / stopwatch.Elapsed.TotalSeconds; // the last one: the same number of connections as the service
}

await using var service = new BenchmarkServiceFactory(servers, new Dictionary<string, string?>
{
    ["ConnectionStrings:smtp"] = mail.ConnectionString,
    ["Smtp:Security"] = "None",
    ["Smtp:Connections"] = Connections.ToString(),
    ["Sms:BaseUrl"] = sms.BaseUrl.ToString(),
    ["Sms:ApiKey"] = sms.ApiKey,
    ["Sms:From"] = "+12025550100",
    ["Delivery:PollInterval"] = "00:00:01",
    ["Logging:LogLevel:Default"] = "Warning",
});
_ = service.Server;

var bus = Bus.Factory.CreateUsingRabbitMq(rabbit => rabbit.Host(new Uri(servers.RabbitMqConnectionString)));
await bus.StartAsync();
var endpoint = await bus.GetSendEndpoint(CommandRouting.AddressOf(typeof(DeliverInvitation)));
var practice = Guid.NewGuid();
var sentAt = new Dictionary<string, DateTimeOffset>();

async Task SendAsync(int i)
{
    var commandId = Guid.NewGuid();
    var command = new DeliverInvitation(commandId, practice, $"P-{i}", Guid.NewGuid(), "Riverside Family Practice", "Ana",
        $"patient{i}.{Guid.NewGuid():N}@example.com", null, DevelopmentCommandSecrets.Instance.Seal($"https://portal.example/register?token={Guid.NewGuid():N}", commandId),
        DateTimeOffset.UtcNow.AddDays(14), InvitationTemplate.Invitation);
    lock (sentAt)
    {
        sentAt[command.Email!] = DateTimeOffset.UtcNow;
    }

    await endpoint.Send(command, context => context.MessageId = command.CommandId);
}

int Accepted() => Directory.GetFiles(Path.Combine(mail.Directory, "new")).Length;

async Task WaitForAsync(int count)
{
    var deadline = DateTime.UtcNow.AddMinutes(10);
    while (Accepted() < count)
    {
        if (DateTime.UtcNow > deadline)
        {
            throw new TimeoutException($"only {Accepted()} of {count} emails arrived");
        }

        // The figures come from the maildir files' times, not from this poll: it only paces the next command, and
        // polls seldom enough not to take the CPU the service under test needs (the baseline has no poller beside it).
        await Task.Delay(20);
    }
}

// Warm-up: JIT, connection pools, Marten's first queries.
for (var i = 0; i < 20; i++)
{
    await SendAsync(-1 - i);
}

await WaitForAsync(20);
var warm = mail.ReadAll().Select(m => m.To[0]).ToHashSet();

// One at a time: the latency of a single invitation on a quiet system.
phases.Reset();
for (var i = 0; i < sequential; i++)
{
    var before = Accepted();
    await SendAsync(100_000 + i);
    await WaitForAsync(before + 1);
}

var afterSequential = mail.ReadAll();
var quiet = Latencies(afterSequential.Where(m => !warm.Contains(m.To[0])));
Console.WriteLine($"service   {sequential} commands one at a time: command -> SMTP accepted p50 {Percentile(quiet, 50),7:0.0} ms  p99 {Percentile(quiet, 99),7:0.0} ms");
phases.Print(sequential);

// A burst: every command on the queue at once, measured until the last email is accepted.
var already = afterSequential.Select(m => m.To[0]).ToHashSet();
phases.Reset();
var start = DateTimeOffset.UtcNow;
await Task.WhenAll(Enumerable.Range(0, burst).Select(SendAsync));
await WaitForAsync(already.Count + burst);
var burstMails = mail.ReadAll().Where(m => !already.Contains(m.To[0])).ToList();
var elapsed = burstMails.Max(m => m.ReceivedAt) - start;
var loaded = Latencies(burstMails);
Console.WriteLine($"service   {burst} commands in a burst: {burst / elapsed.TotalSeconds,8:0.0} emails/s ({elapsed.TotalSeconds:0.00} s); command -> SMTP accepted p50 {Percentile(loaded, 50),7:0.0} ms  p99 {Percentile(loaded, 99),7:0.0} ms");
phases.Print(burst);
Console.WriteLine($"ratio     burst vs MailKit direct with {Connections} connections: {burst / elapsed.TotalSeconds / baselineRate:0.00}x (goal >= 0.6x); single command p99 {Percentile(quiet, 99):0.0} ms (goal <= 25 ms)");
Console.WriteLine($"duplicates: {mail.ReadAll().Count - mail.ReadAll().Select(m => m.To[0]).Distinct().Count()} (must be 0)");

await bus.StopAsync();

// The last line: the figures of issue 13's goal table, for tests/Benchmarks/run-all.
Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new SortedDictionary<string, double>(StringComparer.Ordinal)
{
    [$"notification_burst{burst}_vs_raw_mailkit_same_connections"] = Math.Round(burst / elapsed.TotalSeconds / baselineRate, 2),
    ["single_invitation_command_to_smtp_accepted_p99_ms"] = Math.Round(Percentile(quiet, 99), 1),
}));
return;

List<double> Latencies(IEnumerable<CapturedMail> mails) =>
    mails.Select(m => (m.ReceivedAt - sentAt[m.To[0]]).TotalMilliseconds).Order().ToList();

static double Percentile(List<double> sorted, int p) =>
    sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];

/// <summary>
/// Collects, in process, the service's own measurements: the dispatcher's per-attempt phases (claim, send, record),
/// the consumer storing the command, every PostgreSQL command (one round trip each), the thread pool's queue and this
/// process's CPU time.
/// </summary>
internal sealed class PhaseMeter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, ConcurrentBag<double>> _values = new();
    private readonly ConcurrentBag<(long Pending, int Threads)> _pool = [];
    private readonly Timer _poolSampler;
    private readonly int _sinkPort;
    private TimeSpan _cpu;
    private (long Busy, long Total) _machine;
    private (TimeSpan Ran, TimeSpan Waited) _sink;
    private (TimeSpan Ran, TimeSpan Waited) _self;

    public PhaseMeter(int sinkPort)
    {
        _sinkPort = sinkPort;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name is "portal.notification.phase.duration" or "db.client.commands.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            var name = instrument.Name switch
            {
                "portal.notification.phase.duration" => TagOf(tags, "phase"),
                _ => "postgres",
            };
            _values.GetOrAdd(name, _ => []).Add(instrument.Unit == "s" ? value * 1000 : value);
        });
        _listener.Start();
        _poolSampler = new Timer(_ => _pool.Add((ThreadPool.PendingWorkItemCount, ThreadPool.ThreadCount)), null, 50, 50);
    }

    public void Reset()
    {
        _values.Clear();
        _pool.Clear();
        _cpu = Process.GetCurrentProcess().TotalProcessorTime;
        _machine = MachineCpu.Now();
        _sink = SinkCpu.Of(_sinkPort);
        _self = ProcessCpu.OfThisProcess();
    }

    public void Print(int emails)
    {
        foreach (var phase in new[] { "store", "claim", "send", "smtp", "record" })
        {
            var values = _values.TryGetValue(phase, out var bag) ? bag.Order().ToList() : [];
            Console.WriteLine(values.Count == 0
                ? $"  phase {phase,-13}: no measurements"
                : $"  phase {phase,-13}: n {values.Count,4}  mean {values.Average(),7:0.00} ms  p50 {values[values.Count / 2],7:0.00} ms  p99 {values[Math.Min(values.Count - 1, (int)(values.Count * 0.99))],7:0.00} ms");
        }

        var commands = _values.TryGetValue("postgres", out var postgres) ? postgres.Count : 0;
        Console.WriteLine($"  postgres round trips: {commands} ({(double)commands / emails:0.0} per email, the daemon's and relay's polls included)");
        if (!_pool.IsEmpty)
        {
            var pending = _pool.Select(p => p.Pending).Order().ToList();
            Console.WriteLine($"  thread pool (sampled every 50 ms): queued work items p50 {pending[pending.Count / 2]}, max {pending[^1]}; threads max {_pool.Max(p => p.Threads)}");
        }

        Console.WriteLine($"  CPU of this process (service, bus client, sink reader): {(Process.GetCurrentProcess().TotalProcessorTime - _cpu).TotalMilliseconds / emails:0.00} ms per email; machine CPU busy {MachineCpu.BusySince(_machine):P0} (all processes, other users' included)");
        var (sinkRan, sinkWaited) = SinkCpu.Of(_sinkPort);
        var (selfRan, selfWaited) = ProcessCpu.OfThisProcess();
        Console.WriteLine($"  waiting for a core, per email: this process's threads {(selfWaited - _self.Waited).TotalMilliseconds / emails:0.00} ms (they ran {(selfRan - _self.Ran).TotalMilliseconds / emails:0.00} ms); the sink {(sinkWaited - _sink.Waited).TotalMilliseconds / emails:0.00} ms (it ran {(sinkRan - _sink.Ran).TotalMilliseconds / emails:0.00} ms)");
    }

    public void Dispose()
    {
        _poolSampler.Dispose();
        _listener.Dispose();
    }

    private static string TagOf(ReadOnlySpan<KeyValuePair<string, object?>> tags, string key)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == key)
            {
                return tag.Value?.ToString() ?? "";
            }
        }

        return "";
    }
}

/// <summary>The CPU of the aiosmtpd process listening on a port (one Python thread).</summary>
internal static class SinkCpu
{
    public static (TimeSpan Ran, TimeSpan Waited) Of(int port) =>
        ProcessCpu.OfProcesses(process => ProcessCpu.CommandLineOf(process).Contains($"aiosmtpd -n -l 127.0.0.1:{port} ", StringComparison.Ordinal));
}

/// <summary>How busy all the machine's cores were (/proc/stat): the service competes with PostgreSQL, RabbitMQ, the sink and anything else running.</summary>
internal static class MachineCpu
{
    public static (long Busy, long Total) Now()
    {
        var ticks = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(long.Parse).ToArray();
        var total = ticks.Sum();
        return (total - ticks[3] - ticks[4], total); // idle and iowait are not busy
    }

    public static double BusySince((long Busy, long Total) start)
    {
        var now = Now();
        return now.Total == start.Total ? 0 : (double)(now.Busy - start.Busy) / (now.Total - start.Total);
    }
}

/// <summary>The real service with settings Program.cs can read while it builds (host settings, not late configuration).</summary>
internal sealed class BenchmarkServiceFactory(IsolatedServers servers, Dictionary<string, string?> settings)
    : ServiceFactory<NotificationService>(servers, NotificationService.Name, settings)
{
    private readonly Dictionary<string, string?> _all = new(servers.ConfigurationFor(NotificationService.Name).Concat(settings));

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
