using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace PortalPlatform.Webhooks.Security;

/// <summary>
/// Where webhooks may go. Outside Development (unless <see cref="WebhookOptions.AllowPrivateTargets"/>): https only,
/// and never to an address inside the platform's network (private, loopback, link-local...). Checked when a
/// subscription is made and again on every connection, against the address actually connected to, so a DNS
/// answer that changes later (rebinding) cannot reach an internal service.
/// </summary>
public sealed class TargetPolicy(IOptions<WebhookOptions> options)
{
    public const int MaxUrlLength = 2048;

    /// <summary>Null when <paramref name="url"/> is an acceptable target, else what is wrong with it.</summary>
    public async Task<string?> RefusalOfAsync(string? url, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > MaxUrlLength)
        {
            return $"must be an absolute URL of at most {MaxUrlLength} characters";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return "must be an absolute http(s) URL";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "must not carry credentials";
        }

        if (options.Value.AllowPrivateTargets)
        {
            return null;
        }

        if (uri.Scheme != Uri.UriSchemeHttps)
        {
            return "must use https";
        }

        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(uri.DnsSafeHost, cancellationToken);
        }
        catch (SocketException)
        {
            return "has a host name that does not resolve";
        }

        return addresses.Length == 0 ? "has a host name that does not resolve"
            : addresses.Any(IsInternal) ? "must not resolve to a private, loopback or link-local address"
            : null;
    }

    /// <summary>Connects to the first public address of the host; refuses the connection when there is none.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, cancellationToken);
        var allowed = options.Value.AllowPrivateTargets ? addresses : [.. addresses.Where(a => !IsInternal(a))];
        if (allowed.Length == 0)
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, "the target does not resolve to a public address");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Loopback, private (RFC 1918, unique-local), link-local, CGNAT, unspecified, multicast or otherwise not a public unicast address.</summary>
    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.IsIPv6Multicast;
        }

        var b = address.GetAddressBytes();
        return b[0] switch
        {
            0 or 10 or 127 => true,
            100 => b[1] >= 64 && b[1] <= 127,        // 100.64.0.0/10, carrier-grade NAT
            169 => b[1] == 254,                      // link-local, cloud metadata endpoints
            172 => b[1] >= 16 && b[1] <= 31,
            192 => b[1] == 168 || (b[1] == 0 && b[2] == 0),
            198 => b[1] == 18 || b[1] == 19,         // benchmarking networks
            >= 224 => true,                          // multicast and reserved
            _ => false,
        };
    }
}
