using SdAgones.Agent.Users;
using SdAgones.Runtimes.Identity;

namespace SdAgones.Tests.Agent;

/// <summary>The agent's mapping from a runtime's <c>user</c> label to a folder on the shared volume.</summary>
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
        if (identity.Length == 0)
        {
            return; // there is no person without an identity
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
    public void Every_WebUI_output_folder_points_inside_the_persons_outputs_and_init_images_to_inputs()
    {
        var folder = UserFolders.For(Root, PersonLabel.For("alice@example.com"))!;

        var settings = folder.WebUISettings();

        foreach (var key in new[] { "outdir_txt2img_samples", "outdir_img2img_samples", "outdir_extras_samples", "outdir_txt2img_grids", "outdir_img2img_grids", "outdir_save" })
        {
            Assert.StartsWith(folder.Outputs + Path.DirectorySeparatorChar, settings[key], StringComparison.Ordinal);
        }

        Assert.Equal(folder.Inputs, settings["outdir_init_images"]);
        Assert.Equal("", settings["outdir_samples"]); // when set it would override every tab's folder
        Assert.Equal("", settings["outdir_grids"]);
    }
}
