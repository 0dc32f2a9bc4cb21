using SdAgones.Runtimes.Agones;

namespace SdAgones.Runtimes.Sessions;

/// <summary>
/// Gives a runtime back: the session goes first (compare-and-delete, so a newer session is never touched), then the
/// GameServer is shut down; a runtime is single-use and is never handed to a second person.
/// </summary>
public sealed class RuntimeReleaser(SessionStore store, AgonesClient agones)
{
    /// <summary>Releases the person's runtime; false when the session had already moved on.</summary>
    public async Task<bool> ReleaseAsync(RuntimeSession session, string? notice, CancellationToken ct)
    {
        if (!await store.RemoveAsync(session.User, session.Runtime))
        {
            return false;
        }

        if (notice is not null)
        {
            await store.SetNoticeAsync(session.User, notice);
        }

        await agones.DeleteGameServerAsync(session.Runtime, ct);
        return true;
    }
}
