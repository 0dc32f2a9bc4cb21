
namespace SdAgones.Agent.Users;

/// <summary>A person's folders on the shared volume: what they generated (moved out of the runtime), and what they uploaded as inputs.</summary>
internal sealed record UserFolder(string Root, string Outputs, string Inputs);

/// <summary>
/// Maps a runtime's <c>user</c> label to <c>&lt;storage&gt;/users/&lt;label&gt;</c>. The label is already safe and
/// collision-free (<see cref="PersonLabel"/>), but it arrives from outside the pod, so it is checked again: only a
/// well-formed label whose full path stays below <c>users/</c> gets a folder. The seed used the raw label as a path.
/// </summary>
internal static class UserFolders
{
    public const string UsersFolder = "users";

    /// <summary>The person's folders, or null when <paramref name="label"/> could not have come from <see cref="PersonLabel"/>.</summary>
    public static UserFolder? For(string storageRoot, string label)
    {
        if (!PersonLabel.IsWellFormed(label))
        {
            return null;
        }

        var users = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(storageRoot, UsersFolder))) + Path.DirectorySeparatorChar;
        var root = Path.GetFullPath(Path.Combine(users, label));
        if (!root.StartsWith(users, StringComparison.Ordinal) || root.Length == users.Length
            || root.IndexOf(Path.DirectorySeparatorChar, users.Length) >= 0)
        {
            return null;
        }

        return new UserFolder(root, Path.Combine(root, "outputs"), Path.Combine(root, "inputs"));
    }

    /// <summary>Creates the folders (safe to repeat) and returns them, or null when the label is refused.</summary>
    public static UserFolder? Create(string storageRoot, string label)
    {
        if (For(storageRoot, label) is not { } folder)
        {
            return null;
        }

        Directory.CreateDirectory(folder.Outputs);
        Directory.CreateDirectory(folder.Inputs);
        return folder;
    }
}
