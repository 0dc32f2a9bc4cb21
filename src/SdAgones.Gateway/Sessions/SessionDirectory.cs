using System.Collections.Concurrent;
using k8s;
using Microsoft.Extensions.Options;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Sessions;
using StackExchange.Redis;

namespace SdAgones.Gateway.Sessions;

/// <summary>
/// Finds a person's runtime on the hot path without touching the cache on every request: an in-memory copy first,
/// then the cache, and, when the cache is down, Agones itself (an Allocated GameServer annotated with the person).
/// Drops sessions whose runtime died, and records activity at most once per <see cref="IdleOptions.TouchInterval"/>.
/// The informer may lag behind an allocation (its copy still says Ready while Agones says Allocated), so a session is
/// dropped on the informer's word only when the informer saw the runtime end; otherwise Agones is asked first.
/// </summary>
internal sealed partial class SessionDirectory : IDisposable
{
    private static readonly TimeSpan MemoryTtl = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, (RuntimeSession Session, DateTimeOffset Expires)> memory = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> lastTouch = new(StringComparer.Ordinal);
    private readonly SessionStore store;
    private readonly SessionLifecycle lifecycle;
    private readonly GameServerWatcher watcher;
    private readonly AgonesClient agones;
    private readonly SdAgones.Contracts.Profiles.ProfileCatalog profiles;
    private readonly IOptions<IdleOptions> idle;
    private readonly TimeProvider time;
    private readonly ILogger<SessionDirectory> logger;

    public SessionDirectory(
        SessionStore store, SessionLifecycle lifecycle, GameServerWatcher watcher, AgonesClient agones,
        SdAgones.Contracts.Profiles.ProfileCatalog profiles, IOptions<IdleOptions> idle, TimeProvider time, ILogger<SessionDirectory> logger)
    {
        this.profiles = profiles;
        this.store = store;
        this.lifecycle = lifecycle;
        this.watcher = watcher;
        this.agones = agones;
        this.idle = idle;
        this.time = time;
        this.logger = logger;
        watcher.Changed += OnGameServerChanged;
    }

    public int CachedCount => memory.Count;

    /// <summary>The person's live session, or null when they have none (or it just died).</summary>
    /// <exception cref="RedisException">The cache is down and Agones knows of no runtime for the person.</exception>
    public async Task<RuntimeSession?> FindAsync(string user)
    {
        if (Recall(user) is { } known)
        {
            return known;
        }

        RuntimeSession? session;
        try
        {
            session = await store.GetAsync(user);
        }
        catch (Exception ex) when (CacheFault.Is(ex) && FromAgones(user) is { } fromAgones)
        {
            Remember(fromAgones);
            return fromAgones;
        }

        if (session is null)
        {
            memory.TryRemove(user, out _);
            return null;
        }

        if (!IsAlive(session.Runtime) && !await AgonesSaysServingAsync(session))
        {
            await ReleaseAsync(session, ReleaseReason.RuntimeGone);
            return null;
        }

        Remember(session);
        return session;
    }

    /// <summary>The person's session from this instance's memory alone (no cache read): fresh and its runtime alive, or null.</summary>
    public RuntimeSession? Recall(string user) =>
        memory.TryGetValue(user, out var cached) && cached.Expires > time.GetUtcNow() && IsAlive(cached.Session.Runtime) ? cached.Session : null;

    public void Remember(RuntimeSession session) => memory[session.User] = (session, time.GetUtcNow() + MemoryTtl);

    public void Forget(string user) => memory.TryRemove(user, out _);

    /// <summary>Records activity, at most once per touch interval per person on this instance; a cache error is not the person's problem.</summary>
    public void Touch(string user)
    {
        var now = time.GetUtcNow();
        if (lastTouch.TryGetValue(user, out var last) && now - last < idle.Value.TouchInterval)
        {
            return;
        }

        lastTouch[user] = now;
        _ = TouchAsync(user, now);
    }

    private async Task TouchAsync(string user, DateTimeOffset now)
    {
        try
        {
            await store.TouchAsync(user, now);
        }
        catch (Exception ex) when (CacheFault.Is(ex))
        {
            lastTouch.TryRemove(user, out _);
            LogTouchFailed(ex.Message);
        }
    }

    /// <summary>Forgets the session here and releases it through the one release path; a cache or Agones fault is logged, not thrown.</summary>
    public async Task ReleaseAsync(RuntimeSession session, ReleaseReason reason)
    {
        memory.TryRemove(session.User, out _);
        try
        {
            await lifecycle.ReleaseAsync(session, reason, CancellationToken.None);
        }
        catch (Exception ex) when (CacheFault.Is(ex) || ex is HttpRequestException or k8s.Autorest.HttpOperationException)
        {
            LogReleaseFailed(session.User, session.Runtime, ex.Message);
        }
    }

    /// <summary>True unless the informer knows the runtime is gone or failing (unknown while the informer syncs counts as alive).</summary>
    public bool IsAlive(string runtime)
    {
        if (!watcher.IsSynced)
        {
            return true;
        }

        return watcher.Find(runtime) is { State: { } state } && GameServerLifecycle.IsServing(state);
    }

    /// <summary>
    /// Agones' own answer, for when the informer's copy says the runtime is not serving: true when the GameServer is
    /// Allocated (or Reserved) to this person, i.e. the informer has not yet seen the allocation. When the informer saw
    /// the runtime end (deleted, or a state it never comes back from), or Agones cannot be asked, the informer is believed.
    /// </summary>
    private async Task<bool> AgonesSaysServingAsync(RuntimeSession session)
    {
        if (!watcher.IsSynced || watcher.Find(session.Runtime) is not { State: { } seen } || GameServerLifecycle.IsTerminal(seen))
        {
            return false;
        }

        try
        {
            if (await agones.GetGameServerAsync(session.Runtime, CancellationToken.None) is { State: { } state } server
                && GameServerLifecycle.IsServing(state) && server.AllocatedUser == session.User)
            {
                LogInformerBehind(session.User, session.Runtime, seen.ToString());
                return true;
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or k8s.Autorest.HttpOperationException or TaskCanceledException)
        {
            LogAgonesUnanswered(session.User, session.Runtime, ex.Message);
        }

        return false;
    }

    private RuntimeSession? FromAgones(string user)
    {
        var server = watcher.All.FirstOrDefault(s => s.State == GameServerState.Allocated && s.AllocatedUser == user);
        return server is not null && RuntimeAddress.WebUI(server) is { } target
            ? new RuntimeSession(user, server.Name, target, server.Metadata.CreationTimestamp ?? default, server.Status?.NodeName,
                profiles.ForFleet(server.Fleet)?.Slug ?? "")
            : null;
    }

    private void OnGameServerChanged(WatchEventType type, GameServer server)
    {
        var gone = type == WatchEventType.Deleted || server.State is { } s && GameServerLifecycle.IsTerminal(s);
        if (!gone || server.AllocatedUser is not { } user)
        {
            return;
        }

        if (memory.TryGetValue(user, out var cached) && cached.Session.Runtime == server.Name)
        {
            memory.TryRemove(user, out _);
        }

        _ = DropIfStillBoundAsync(user, server.Name);
    }

    private async Task DropIfStillBoundAsync(string user, string runtime)
    {
        try
        {
            if (await store.GetAsync(user) is { } session && session.Runtime == runtime)
            {
                await ReleaseAsync(session, ReleaseReason.RuntimeGone);
            }
        }
        catch (Exception ex) when (CacheFault.Is(ex))
        {
            LogTouchFailed(ex.Message);
        }
    }

    public void Dispose() => watcher.Changed -= OnGameServerChanged;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cache unavailable while recording activity: {Reason}")]
    private partial void LogTouchFailed(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Runtime {Runtime} of {User} is still {State} in the informer but Allocated to them in Agones: kept")]
    private partial void LogInformerBehind(string user, string runtime, string state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not ask Agones about runtime {Runtime} of {User} ({Reason}); the informer is believed")]
    private partial void LogAgonesUnanswered(string user, string runtime, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release runtime {Runtime} of {User}: {Reason}")]
    private partial void LogReleaseFailed(string user, string runtime, string reason);
}
