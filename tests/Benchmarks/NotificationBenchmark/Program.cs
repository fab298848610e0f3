using System.Diagnostics;
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

// Baseline: MailKit straight to the sink, no service, no database, no broker.
var baselineRate = 0.0;
foreach (var connections in new[] { 1, Connections })
{
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
    Console.WriteLine($"baseline  MailKit direct, {connections} connection(s): {burst / stopwatch.Elapsed.TotalSeconds,8:0.0} emails/s ({burst} in {stopwatch.Elapsed.TotalSeconds:0.00} s)");
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
    ["Delivery:MaxParallelSends"] = Connections.ToString(),
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

        await Task.Delay(5);
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
for (var i = 0; i < sequential; i++)
{
    var before = Accepted();
    await SendAsync(100_000 + i);
    await WaitForAsync(before + 1);
}

var afterSequential = mail.ReadAll();
var quiet = Latencies(afterSequential.Where(m => !warm.Contains(m.To[0])));
Console.WriteLine($"service   {sequential} commands one at a time: command -> SMTP accepted p50 {Percentile(quiet, 50),7:0.0} ms  p99 {Percentile(quiet, 99),7:0.0} ms");

// A burst: every command on the queue at once, measured until the last email is accepted.
var already = afterSequential.Select(m => m.To[0]).ToHashSet();
var start = DateTimeOffset.UtcNow;
await Task.WhenAll(Enumerable.Range(0, burst).Select(SendAsync));
await WaitForAsync(already.Count + burst);
var burstMails = mail.ReadAll().Where(m => !already.Contains(m.To[0])).ToList();
var elapsed = burstMails.Max(m => m.ReceivedAt) - start;
var loaded = Latencies(burstMails);
Console.WriteLine($"service   {burst} commands in a burst: {burst / elapsed.TotalSeconds,8:0.0} emails/s ({elapsed.TotalSeconds:0.00} s); command -> SMTP accepted p50 {Percentile(loaded, 50),7:0.0} ms  p99 {Percentile(loaded, 99),7:0.0} ms");
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
