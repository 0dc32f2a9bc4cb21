namespace SdAgones.Gateway.Api;

/// <summary>Who may see and act on every session (section <c>Admin</c>; <c>Users</c> is comma-separated).</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    public string Users { get; set; } = "";

    public bool IsAdmin(string user) =>
        Users.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Any(u => string.Equals(u, user, StringComparison.OrdinalIgnoreCase));
}
