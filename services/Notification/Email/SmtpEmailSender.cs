using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using PortalPlatform.Notification.Deliveries;

namespace PortalPlatform.Notification.Email;

/// <summary>
/// Sends rendered emails over SMTP with MailKit, keeping a few connections open. Each message carries a Message-ID
/// derived from its delivery id, so a resend after a crash is recognisable as the same message. 5xx replies are
/// permanent; 4xx replies, timeouts and connection problems are transient.
/// </summary>
public sealed partial class SmtpEmailSender(IOptions<SmtpOptions> options, TimeProvider clock, ILogger<SmtpEmailSender> logger) : IAsyncDisposable
{
    // A server may close a connection that sat idle; reconnect rather than fail an attempt on a dead socket.
    private static readonly TimeSpan MaxIdle = TimeSpan.FromSeconds(30);

    private readonly ConcurrentBag<(SmtpClient Client, DateTimeOffset LastUsed)> _idle = [];
    private readonly SemaphoreSlim _slots = new(options.Value.Connections, options.Value.Connections);

    public async Task<SendOutcome> SendAsync(Guid deliveryId, OutboundMessage outbound, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!MailboxAddress.TryParse(outbound.To, out var recipient) || string.IsNullOrEmpty(recipient.Domain))
        {
            return SendOutcome.PermanentFailure("not a valid email address");
        }

        using var message = new MimeMessage();
        message.From.Add(new MailboxAddress(settings.FromName, settings.From));
        message.To.Add(recipient);
        message.Subject = outbound.Subject;
        message.MessageId = $"{deliveryId:N}@{settings.From.Split('@')[^1]}";
        message.Date = clock.GetUtcNow();
        message.Body = new BodyBuilder { TextBody = outbound.Text, HtmlBody = outbound.Html }.ToMessageBody();

        await _slots.WaitAsync(cancellationToken);
        SmtpClient? client = null;
        try
        {
            var conversation = System.Diagnostics.Stopwatch.GetTimestamp();
            client = await ConnectedClientAsync(settings, cancellationToken);
            var reply = await client.SendAsync(message, cancellationToken);
            DeliveryDispatcher.RecordPhase("smtp", conversation);
            _idle.Add((client, clock.GetUtcNow()));
            client = null;
            logger.LogDebug("SMTP accepted delivery {DeliveryId}: {Reply}", deliveryId, Redact(reply));
            return SendOutcome.Success(message.MessageId);
        }
        catch (SmtpCommandException refused)
        {
            var code = (int)refused.StatusCode;
            var reason = $"SMTP {code} {refused.ErrorCode}: {Redact(refused.Message)}";
            return code >= 500 ? SendOutcome.PermanentFailure(reason) : SendOutcome.TransientFailure(reason);
        }
        catch (AuthenticationException)
        {
            return SendOutcome.TransientFailure("SMTP authentication failed (check Smtp:Username and Smtp:Password)");
        }
        catch (Exception ex) when (ex is SmtpProtocolException or IOException or SocketException or TimeoutException or SslHandshakeException or ServiceNotConnectedException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            logger.LogWarning("SMTP attempt for delivery {DeliveryId} failed: {Error}", deliveryId, ex.GetType().Name);
            return SendOutcome.TransientFailure($"mail server unreachable or not answering: {ex.GetType().Name}: {Redact(ex.Message)}");
        }
        finally
        {
            if (client is not null)
            {
                // Failed mid-conversation: the connection's state is unknown, start afresh next time.
                client.Dispose();
            }

            _slots.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryTake(out var idle))
        {
            try
            {
                await idle.Client.DisconnectAsync(quit: true);
            }
            catch (Exception ex) when (ex is IOException or SocketException or SmtpProtocolException or ServiceNotConnectedException)
            {
            }

            idle.Client.Dispose();
        }
    }

    private async Task<SmtpClient> ConnectedClientAsync(SmtpOptions settings, CancellationToken cancellationToken)
    {
        while (_idle.TryTake(out var idle))
        {
            if (idle.Client.IsConnected && clock.GetUtcNow() - idle.LastUsed < MaxIdle)
            {
                return idle.Client;
            }

            idle.Client.Dispose();
        }

        var client = new SmtpClient { Timeout = (int)settings.Timeout.TotalMilliseconds };
        try
        {
            var server = settings.ServerUri;
            var security = server.Scheme == "smtps" ? SecureSocketOptions.SslOnConnect : settings.Security switch
            {
                SmtpSecurity.None => SecureSocketOptions.None,
                SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
                SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
                _ => SecureSocketOptions.Auto,
            };
            await client.ConnectAsync(server.Host, server.IsDefaultPort ? 25 : server.Port, security, cancellationToken);
            if (!string.IsNullOrEmpty(settings.Username))
            {
                await client.AuthenticateAsync(settings.Username, settings.Password ?? "", cancellationToken);
            }

            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    // Servers echo the recipient in their replies; the reason travels to staff and on events, the address must not.
    private static string Redact(string text) => EmailAddress().Replace(text, "<recipient>").Trim();

    [GeneratedRegex(@"[^\s<>@]+@[^\s<>@]+")]
    private static partial Regex EmailAddress();
}
