using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PortalPlatform.Hosting.Local;

public static class Ports
{
    private static readonly ConcurrentDictionary<int, byte> Given = new();
    private static readonly (int Low, int High) Range = OutsideEphemeralRange();

    /// <summary>
    /// A TCP port on loopback that nothing listens on right now, never the same twice in one process, and outside the
    /// range the system hands out to outgoing connections: a port from that range (what binding port 0 gives) can be
    /// taken by any client socket between this call and the server binding it, which happened to tests on a busy machine.
    /// </summary>
    public static int Free()
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var port = Random.Shared.Next(Range.Low, Range.High);
            if (IsFree(port) && Given.TryAdd(port, 0))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"no free TCP port on 127.0.0.1 between {Range.Low} and {Range.High}");
    }

    /// <summary>Below the system's ephemeral ports (Linux: <c>/proc/sys/net/ipv4/ip_local_port_range</c>), else above them.</summary>
    private static (int Low, int High) OutsideEphemeralRange()
    {
        const string RangeFile = "/proc/sys/net/ipv4/ip_local_port_range";
        var (ephemeralLow, ephemeralHigh) = (49152, 65535); // IANA's dynamic range, where the file is missing
        if (File.Exists(RangeFile) && File.ReadAllText(RangeFile).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) is [var low, var high])
        {
            (ephemeralLow, ephemeralHigh) = (int.Parse(low, CultureInfo.InvariantCulture), int.Parse(high, CultureInfo.InvariantCulture));
        }

        return ephemeralLow > 22000 ? (20000, ephemeralLow) : (ephemeralHigh + 1, 65536);
    }

    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Throws a clear message (not a stack trace) when a configured port is taken.</summary>
    public static void EnsureFree(int port, string what)
    {
        if (!IsFree(port))
        {
            throw new PortInUseException(port, what);
        }
    }
}

public sealed class PortInUseException(int port, string what)
    : Exception($"Port {port} for {what} is already in use on 127.0.0.1. Stop whatever holds it (ss -ltnp 'sport = :{port}') or choose another port.")
{
    public int Port { get; } = port;
}

public static class PortSettings
{
    /// <summary>A configured port, or any free one where the setting is 0.</summary>
    public static int OrFree(this int port) => port == 0 ? Ports.Free() : port;

    /// <summary>A configured port, or null (let DCP choose) where the setting is 0.</summary>
    public static int? OrNull(this int port) => port == 0 ? null : port;
}
