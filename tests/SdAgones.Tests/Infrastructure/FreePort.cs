using System.Net;
using System.Net.Sockets;

namespace SdAgones.Tests.Infrastructure;

/// <summary>
/// Ports for listeners the test starts. A port picked by the operating system is free only until it is released, so a
/// listener that needs a number up front is started through <see cref="Bind{T}"/>, which picks again when another
/// process took the port in between. Listeners that accept port 0 (Kestrel, <see cref="TcpFaultProxy"/>) need neither.
/// </summary>
public static class FreePort
{
    private const int Attempts = 5;

    /// <summary>A port free a moment ago: only for an address that must stay unreachable, or through <see cref="Bind{T}"/>.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts a listener on a fresh port, picking another one when the port was taken before it bound.</summary>
    public static T Bind<T>(Func<int, T> start)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return start(Next());
            }
            catch (Exception ex) when (attempt < Attempts && InUse(ex))
            {
                // taken between the pick and the bind: pick again
            }
        }
    }

    private static bool InUse(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
            {
                return true;
            }
        }

        return false;
    }
}
