using SdAgones.Contracts.Profiles;
using SdAgones.Runtimes.Agones;
using SdAgones.Runtimes.Sessions;

namespace SdAgones.Runtimes.Profiles;

/// <summary>
/// One waiting line per profile, so people waiting for a full <c>l4</c> Fleet never hold up people a free <c>t4</c>
/// runtime could serve at once; each line is the ordinary <see cref="WaitingLine"/> on its profile's keys and Fleet.
/// </summary>
public sealed class ProfileLines
{
    private readonly Dictionary<string, WaitingLine> lines;

    public ProfileLines(ProfileCatalog profiles, Func<RuntimeProfile, WaitingLine> lineOf)
    {
        Profiles = profiles;
        lines = profiles.All.ToDictionary(p => p.Slug, lineOf, StringComparer.Ordinal);
    }

    /// <summary>The profiles the lines are for.</summary>
    public ProfileCatalog Profiles { get; }

    /// <summary>The line of <paramref name="profile"/>.</summary>
    public WaitingLine For(RuntimeProfile profile) => lines[profile.Slug];

    /// <summary>The line of the profile <paramref name="slug"/>; the default profile's for an unknown or empty slug.</summary>
    public WaitingLine For(string? slug) => lines.TryGetValue(slug ?? "", out var line) ? line : lines[Profiles.Default.Slug];

    /// <summary>Every line, in the profiles' order.</summary>
    public IEnumerable<(RuntimeProfile Profile, WaitingLine Line)> All => Profiles.All.Select(p => (p, lines[p.Slug]));
}

/// <summary>How a GameServer maps to its profile: by the Fleet it belongs to.</summary>
public static class ProfileOfGameServer
{
    /// <summary>The profile of <paramref name="server"/>'s Fleet, or null for a GameServer of no profile's Fleet.</summary>
    public static RuntimeProfile? ProfileOf(this ProfileCatalog profiles, GameServer server) => profiles.ForFleet(server.Fleet);

    /// <summary>The label selector for every profile's GameServers (a set-based <c>in</c> is not understood by LocalAgones).</summary>
    public const string AnyFleet = AgonesApi.FleetLabel;
}
