using System.Net;
using System.Net.Sockets;

namespace PortalPlatform.Hosting.Local;

public static class Ports
{
    /// <summary>A TCP port on loopback that nothing listens on right now.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
