
namespace SdAgones.Tests.Sessions;

public sealed class PersonLabelTests
{
    [Theory]
    [InlineData("alice@example.com")]
    [InlineData("../../etc")]
    [InlineData("a/b")]
    [InlineData("名前@例え.jp")]
    [InlineData("\"quoted\"@example.com")]
    [InlineData("...")]
    public void Every_identity_becomes_a_valid_label_and_a_safe_folder_name(string identity)
    {
        var label = PersonLabel.For(identity);
        Assert.True(PersonLabel.IsWellFormed(label), label);
        Assert.DoesNotContain("/", label, StringComparison.Ordinal);
        Assert.NotEqual("..", label);
    }

    [Fact]
    public void A_very_long_identity_still_fits_a_label()
    {
        var label = PersonLabel.For(new string('x', 500) + "@example.com");
        Assert.True(label.Length <= 63);
        Assert.True(PersonLabel.IsWellFormed(label));
    }

    [Fact]
    public void Identities_the_seed_confused_get_different_labels()
    {
        // The seed mapped both to "a.b.c": one person would have been routed to the other's runtime.
        Assert.NotEqual(PersonLabel.For("a.b@c"), PersonLabel.For("a@b.c"));
        Assert.Equal(PersonLabel.For("a.b@c"), PersonLabel.For("a.b@c"));
    }
}
