using Microsoft.Extensions.Options;

namespace SdAgones.Agent.Users;

/// <summary>
/// The pod-local folder the WebUI works in (<c>Storage:Workspace</c>), and the person this runtime was allocated to.
/// The WebUI writes outputs under <c>outputs/</c> and reads inputs from <c>inputs/</c>; only the agent also sees the
/// person's folder on the shared volume, and moves files between the two.
/// </summary>
internal sealed class Workspace(IOptions<AgentOptions> options)
{
    private volatile UserFolder? person;

    public string Root { get; } = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.Value.Workspace));

    public string Outputs => Path.Combine(Root, "outputs");

    public string Inputs => Path.Combine(Root, "inputs");

    /// <summary>The person's folder once the runtime is allocated; null before.</summary>
    public UserFolder? Person => person;

    public void AllocatedTo(UserFolder folder) => person = folder;
}
