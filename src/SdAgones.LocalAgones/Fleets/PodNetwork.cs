using System.Net;
using System.Net.Sockets;
using SdAgones.Runtimes.Agones;

namespace SdAgones.LocalAgones.Fleets;

/// <summary>Where a local pod's WebUI listens and what port its GameServer reports.</summary>
/// <param name="PodIP">The pod's own address: a loopback address of its own, as each pod on a node has its own IP.</param>
/// <param name="Listen">The port the WebUI process listens on, on <paramref name="PodIP"/>.</param>
/// <param name="Reported">The port in <c>status.ports</c>, as Agones reports it for the port's policy.</param>
public sealed record PodPorts(string PodIP, int Listen, int Reported);

/// <summary>
/// Agones' port policies on one machine (pkg/apis/agones/v1/gameserver.go, GameServerPort.Status and Pod in
/// googleforgames/agones): <c>None</c> reports the containerPort and the container listens on it at the pod's IP;
/// <c>Static</c> reports the hostPort given; <c>Dynamic</c> and <c>Passthrough</c> report a free port the system
/// chose (Passthrough makes the containerPort that same port). Locally there is no port mapping, so the process
/// listens on the port reported.
/// </summary>
public static class PodNetwork
{
    private const int Attempts = 32;

    /// <exception cref="InvalidOperationException">The port asks for a policy Agones does not have.</exception>
    public static PodPorts Assign(GameServerPort port)
    {
        switch (port.PortPolicy)
        {
            case "None":
                // Each pod has its own IP, so every runtime listens on the same containerPort. 127.0.0.0/8 is all
                // loopback on Linux: a random address in it stands in for the pod IP, checked free before use.
                for (var i = 0; i < Attempts; i++)
                {
                    var address = $"127.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(0, 256)}.{Random.Shared.Next(1, 255)}";
                    if (CanListen(address, port.ContainerPort))
                    {
                        return new PodPorts(address, port.ContainerPort, port.ContainerPort);
                    }
                }

                throw new InvalidOperationException(
                    $"no loopback address could listen on containerPort {port.ContainerPort} of port \"{port.Name}\" (portPolicy None); is something listening on *:{port.ContainerPort}?");
            case "Static" when port.HostPort is > 0:
                return new PodPorts(IPAddress.Loopback.ToString(), port.HostPort.Value, port.HostPort.Value);
            case "Static":
                throw new InvalidOperationException($"port \"{port.Name}\" has portPolicy Static but no hostPort");
            case "Dynamic" or "Passthrough":
                var free = FreePort();
                return new PodPorts(IPAddress.Loopback.ToString(), free, free);
            default:
                throw new InvalidOperationException(
                    $"port \"{port.Name}\" has portPolicy \"{port.PortPolicy}\"; use None, Static, Dynamic or Passthrough");
        }
    }

    /// <summary>A port free on 127.0.0.1 now (for the SDK server and the Dynamic policy).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool CanListen(string address, int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Parse(address), port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
