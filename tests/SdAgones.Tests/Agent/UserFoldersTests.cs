using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SdAgones.Agent;
using SdAgones.Agent.Users;

namespace SdAgones.Tests.Agent;

/// <summary>The agent's mapping from a runtime's <c>user</c> label to a folder on the shared volume, and how it moves files there.</summary>
public sealed class UserFoldersTests
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "sdagones-folders-unit");
    private static readonly string Users = Path.Combine(Root, "users") + Path.DirectorySeparatorChar;

    public static TheoryData<string> HostileNames => new()
    {
        "../../etc",
        "..",
        "a/b",
        "a\\b",
        "/etc/passwd",
        new string('a', 500),
        "ålice-ünïcode",
        "аlice", // Cyrillic а
        "alice\nbob",
        "alice\0",
        "",
        " alice",
        "Alice",
    };

    [Theory]
    [MemberData(nameof(HostileNames))]
    public void A_label_that_PersonLabel_could_not_have_made_gets_no_folder(string label) =>
        Assert.Null(UserFolders.For(Root, label));

    [Theory]
    [MemberData(nameof(HostileNames))]
    public void Any_identity_once_made_a_label_gets_a_folder_directly_inside_users(string identity)
    {
        // There is no person without an identity: the empty name is not a row here.
        if (identity.Length == 0)
        {
            Assert.Throws<ArgumentException>(() => PersonLabel.For(identity));
            return;
        }

        var folder = UserFolders.For(Root, PersonLabel.For(identity));

        Assert.NotNull(folder);
        Assert.StartsWith(Users, folder.Root, StringComparison.Ordinal);
        Assert.Equal(Path.GetFullPath(Users), Path.GetDirectoryName(folder.Root) + Path.DirectorySeparatorChar);
        Assert.Equal(Path.Combine(folder.Root, "outputs"), folder.Outputs);
        Assert.Equal(Path.Combine(folder.Root, "inputs"), folder.Inputs);
    }

    [Fact]
    public void The_same_person_always_gets_the_same_folder_and_two_people_never_share_one()
    {
        var alice = UserFolders.For(Root, PersonLabel.For("alice@example.com"))!;
        var again = UserFolders.For(Root, PersonLabel.For("alice@example.com"))!;
        var lookalikeA = UserFolders.For(Root, PersonLabel.For("a.b@c.d"))!;
        var lookalikeB = UserFolders.For(Root, PersonLabel.For("a@b.c.d"))!;

        Assert.Equal(alice, again);
        Assert.NotEqual(lookalikeA.Root, lookalikeB.Root);
    }

    [Fact]
    public async Task Outputs_move_to_the_persons_folder_and_links_out_of_the_workspace_are_not_followed()
    {
        var temp = Directory.CreateTempSubdirectory("sdagones-delivery-").FullName;
        try
        {
            var storage = Path.Combine(temp, "storage");
            var workspacePath = Path.Combine(temp, "workspace");
            var bob = UserFolders.Create(storage, PersonLabel.For("bob"))!;
            var secret = Path.Combine(bob.Outputs, "secret.png");
            await File.WriteAllTextAsync(secret, "bob's picture");
            var images = Path.Combine(workspacePath, "outputs", "txt2img-images");
            Directory.CreateDirectory(images);
            await File.WriteAllTextAsync(Path.Combine(images, "00000-1.png"), "alice's picture");
            File.CreateSymbolicLink(Path.Combine(images, "00001-2.png"), secret);
            Directory.CreateSymbolicLink(Path.Combine(workspacePath, "outputs", "bobs"), bob.Outputs);

            var options = Options.Create(new AgentOptions { StorageRoot = storage, Workspace = workspacePath });
            var workspace = new Workspace(options);
            var alice = UserFolders.Create(storage, PersonLabel.For("alice"))!;
            workspace.AllocatedTo(alice);
            using var delivery = new OutputDelivery(workspace, options, TimeProvider.System, NullLogger<OutputDelivery>.Instance);

            Assert.Equal(1, await delivery.DeliverAsync(everything: true, CancellationToken.None));
            Assert.Equal("alice's picture", await File.ReadAllTextAsync(Path.Combine(alice.Outputs, "txt2img-images", "00000-1.png")));
            Assert.Equal(["00000-1.png"], Directory.EnumerateFiles(alice.Outputs, "*", SearchOption.AllDirectories).Select(Path.GetFileName));

            // The same copy through a folder the WebUI swapped for a link (the race a check-then-open would lose).
            var workspaceOutputs = ConfinedFiles.RealPath(workspace.Outputs);
            var aliceOutputs = ConfinedFiles.RealPath(alice.Outputs);
            Assert.True(await ConfinedFiles.CopyAsync(Path.Combine(images, "00000-1.png"), workspaceOutputs, Path.Combine(alice.Outputs, "again.png"), aliceOutputs, CancellationToken.None));
            Assert.False(await ConfinedFiles.CopyAsync(Path.Combine(workspace.Outputs, "bobs", "secret.png"), workspaceOutputs, Path.Combine(alice.Outputs, "stolen.png"), aliceOutputs, CancellationToken.None));
            Assert.False(File.Exists(Path.Combine(alice.Outputs, "stolen.png")));
            Assert.Equal("bob's picture", await File.ReadAllTextAsync(secret));
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }
}
