using System.Text.Json.Serialization;

namespace SdAgones.Runtimes.Agones;

/// <summary>The states of an Agones GameServer, as Agones names them (googleforgames/agones <c>pkg/apis/agones/v1/gameserver.go</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<GameServerState>))]
public enum GameServerState
{
    PortAllocation,
    Creating,
    Starting,
    Scheduled,
    RequestReady,
    Ready,
    Reserved,
    Allocated,
    Shutdown,
    Error,
    Unhealthy,
}

/// <summary>Which state changes Agones allows; LocalAgones refuses any other, so local runs cannot drift from GKE.</summary>
public static class GameServerLifecycle
{
    private static readonly Dictionary<GameServerState, GameServerState[]> Allowed = new()
    {
        [GameServerState.PortAllocation] = [GameServerState.Creating, GameServerState.Shutdown, GameServerState.Error],
        [GameServerState.Creating] = [GameServerState.Starting, GameServerState.Scheduled, GameServerState.Shutdown, GameServerState.Error],
        [GameServerState.Starting] = [GameServerState.Scheduled, GameServerState.Shutdown, GameServerState.Error, GameServerState.Unhealthy],
        [GameServerState.Scheduled] = [GameServerState.RequestReady, GameServerState.Reserved, GameServerState.Shutdown, GameServerState.Unhealthy],
        [GameServerState.RequestReady] = [GameServerState.Ready, GameServerState.Shutdown, GameServerState.Unhealthy],
        [GameServerState.Ready] = [GameServerState.Allocated, GameServerState.Reserved, GameServerState.RequestReady, GameServerState.Shutdown, GameServerState.Unhealthy],
        [GameServerState.Reserved] = [GameServerState.Ready, GameServerState.RequestReady, GameServerState.Allocated, GameServerState.Shutdown, GameServerState.Unhealthy],
        [GameServerState.Allocated] = [GameServerState.RequestReady, GameServerState.Reserved, GameServerState.Shutdown, GameServerState.Unhealthy],
        [GameServerState.Shutdown] = [],
        [GameServerState.Error] = [GameServerState.Shutdown],
        [GameServerState.Unhealthy] = [GameServerState.Shutdown],
    };

    public static bool CanMove(GameServerState from, GameServerState to) =>
        from == to || Allowed.TryGetValue(from, out var next) && next.Contains(to);

    /// <summary>States in which a runtime's processes may serve a person.</summary>
    public static bool IsServing(GameServerState state) => state is GameServerState.Allocated or GameServerState.Reserved;

    /// <summary>States of a runtime on its way to Ready (what the waiting room and the admin page call "starting").</summary>
    public static bool IsStarting(GameServerState? state) =>
        state is GameServerState.Creating or GameServerState.Starting or GameServerState.Scheduled or GameServerState.RequestReady;

    /// <summary>States from which a runtime never comes back.</summary>
    public static bool IsTerminal(GameServerState state) =>
        state is GameServerState.Shutdown or GameServerState.Unhealthy or GameServerState.Error;
}
