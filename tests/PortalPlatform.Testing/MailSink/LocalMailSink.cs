using System.Diagnostics;
using System.Net.Sockets;
using MimeKit;

namespace PortalPlatform.Hosting.Local;

/// <summary>One message the local mail sink accepted over SMTP.</summary>
/// <param name="To">The envelope recipients (RCPT TO), which is where the message really went.</param>
public sealed record CapturedMail(
    string Id, DateTimeOffset ReceivedAt, string From, IReadOnlyList<string> To, string Subject, string Text, string? Html);

/// <summary>
/// A real SMTP server on loopback for local development and tests: Debian's aiosmtpd writing every accepted
/// message into a maildir. Recipients at reserved domains make it misbehave on purpose (see portal_mail_sink.py):
/// <c>@refused.invalid</c> gets 550, <c>@busy.invalid</c> gets 451, <c>@slow.invalid</c> waits before the 250.
/// </summary>
public sealed class LocalMailSink(string directory, int port) : IAsyncDisposable
{
    public const string RefusedDomain = "refused.invalid";
    public const string BusyDomain = "busy.invalid";
    public const string SlowDomain = "slow.invalid";

    private const string Python = "/usr/bin/python3";
    private const string AiosmtpdPackage = "/usr/lib/python3/dist-packages/aiosmtpd/__init__.py";
    private const string HandlerModule = "portal_mail_sink";

    private Process? _server;

    public string Directory { get; } = Path.GetFullPath(directory);
    public int Port { get; } = port;

    /// <summary>How long a message to <c>@slow.invalid</c> waits for its 250.</summary>
    public TimeSpan SlowReply { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary><c>smtp://127.0.0.1:port</c>, as the Notification service reads <c>ConnectionStrings:smtp</c>.</summary>
    public string ConnectionString => $"smtp://127.0.0.1:{Port}";

    public async Task StartAsync(Action<string>? log = null, CancellationToken ct = default)
    {
        if (_server is { HasExited: false })
        {
            return;
        }

        await DebianPackages.EnsureAsync(new Dictionary<string, string> { ["python3-aiosmtpd"] = AiosmtpdPackage }, log, ct);
        Ports.EnsureFree(Port, "the local mail sink");

        // An empty maildir folder makes every delivery fail: create its three folders up front.
        foreach (var folder in new[] { "tmp", "new", "cur" })
        {
            System.IO.Directory.CreateDirectory(Path.Combine(Directory, folder));
        }

        var handlerDirectory = Path.Combine(Directory, ".handler");
        System.IO.Directory.CreateDirectory(handlerDirectory);
        await using (var source = typeof(LocalMailSink).Assembly.GetManifestResourceStream(HandlerModule + ".py")
            ?? throw new InvalidOperationException("the mail sink handler is not embedded"))
        await using (var target = File.Create(Path.Combine(handlerDirectory, HandlerModule + ".py")))
        {
            await source.CopyToAsync(target, ct);
        }

        var start = new ProcessStartInfo(Python)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[] { "-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{Port}", "-c", $"{HandlerModule}.PortalMailSink", Directory })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PYTHONPATH"] = handlerDirectory;
        start.Environment["PYTHONUNBUFFERED"] = "1";
        start.Environment["PORTAL_MAIL_SINK_SLOW_SECONDS"] = SlowReply.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var output = new System.Text.StringBuilder();
        var server = Process.Start(start) ?? throw new InvalidOperationException("could not start aiosmtpd");
        server.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        server.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        _server = server;
        // Only if that pid is still this sink (a stopped sink's pid may belong to someone else by then).
        Watchdog.RunWhenGone(Environment.ProcessId,
            $"tr '\\0' ' ' < /proc/{server.Id}/cmdline 2>/dev/null | grep -q 'aiosmtpd -n -l 127.0.0.1:{Port} ' && kill {server.Id}");

        await WaitForGreetingAsync(server, output, ct);
        log?.Invoke($"mail sink (SMTP) listening on 127.0.0.1:{Port}, maildir {Directory}");
    }

    public async Task StopAsync()
    {
        if (_server is not { } server)
        {
            return;
        }

        _server = null;
        if (!server.HasExited)
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }

        server.Dispose();
    }

    /// <summary>Every message accepted so far, oldest first.</summary>
    public IReadOnlyList<CapturedMail> ReadAll()
    {
        var files = new[] { "new", "cur" }
            .Select(folder => Path.Combine(Directory, folder))
            .Where(System.IO.Directory.Exists)
            .SelectMany(System.IO.Directory.EnumerateFiles);
        var mails = new List<CapturedMail>();
        foreach (var file in files)
        {
            try
            {
                mails.Add(Parse(file));
            }
            catch (FileNotFoundException)
            {
                // Moved from new/ to cur/ by a mail reader in the meantime; it is read from there.
            }
        }

        return mails.OrderBy(m => m.ReceivedAt).ThenBy(m => m.Id, StringComparer.Ordinal).ToList();
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private static CapturedMail Parse(string file)
    {
        var receivedAt = new DateTimeOffset(File.GetLastWriteTimeUtc(file), TimeSpan.Zero);
        using var message = MimeMessage.Load(file);
        var envelope = message.Headers["X-RcptTo"];
        IReadOnlyList<string> to = string.IsNullOrWhiteSpace(envelope)
            ? message.To.Mailboxes.Select(m => m.Address).ToList()
            : envelope.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var from = message.From.Mailboxes.FirstOrDefault()?.Address ?? message.Headers["X-MailFrom"] ?? "";
        var id = Path.GetFileName(file).Split(':')[0];
        return new CapturedMail(id, receivedAt, from, to, message.Subject ?? "", message.TextBody ?? "", message.HtmlBody);
    }

    private async Task WaitForGreetingAsync(Process server, System.Text.StringBuilder output, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (server.HasExited)
            {
                string said;
                lock (output)
                {
                    said = output.ToString().Trim();
                }

                throw new InvalidOperationException($"the mail sink (aiosmtpd) exited with {server.ExitCode}: {said}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port, ct);
                using var reader = new StreamReader(client.GetStream());
                var greeting = await reader.ReadLineAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(5), ct);
                if (greeting?.StartsWith("220", StringComparison.Ordinal) == true)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is SocketException or IOException or TimeoutException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the mail sink did not greet on 127.0.0.1:{Port} within 30 s");
            }

            await Task.Delay(50, ct);
        }
    }
}
