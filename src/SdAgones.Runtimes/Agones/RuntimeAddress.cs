namespace SdAgones.Runtimes.Agones;

/// <summary>Where a runtime's WebUI answers: the pod IP and the port named <c>sd</c>.</summary>
public static class RuntimeAddress
{
    /// <summary>The WebUI's base URL, or null when Agones has not given the runtime an address and an <c>sd</c> port.</summary>
    public static Uri? WebUI(IEnumerable<GameServerAddress>? addresses, string? address, IEnumerable<GameServerStatusPort>? ports)
    {
        var host = addresses?.FirstOrDefault(a => a.Type == GameServerAddress.PodIP)?.Address ?? address;
        var port = ports?.FirstOrDefault(p => p.Name == AgonesApi.WebUIPortName)?.Port;
        return string.IsNullOrEmpty(host) || port is null or <= 0 ? null : new UriBuilder("http", host, port.Value).Uri;
    }

    public static Uri? WebUI(GameServer server) =>
        server.Status is { } s ? WebUI(s.Addresses, s.Address, s.Ports) : null;

    public static Uri? WebUI(GameServerAllocationStatus status) =>
        WebUI(status.Addresses, status.Address, status.Ports);
}
