using System.Text.Json.Nodes;
using SdAgones.Manifests.Output;

namespace SdAgones.Tests.Deployment;

/// <summary>Embedded files (the collector's config) are written as literal blocks and read back as exactly the same text.</summary>
public sealed class YamlWriterTests
{
    [Theory]
    [InlineData("receivers:\n  otlp:\n    protocols: {}\n\nservice: x\n", true)]
    [InlineData("two lines\nwith a trailing space \n", false)]
    [InlineData("no final newline\nat all", false)]
    [InlineData("\tstarts with a tab\n", false)]
    public void A_multi_line_string_reads_back_unchanged(string text, bool asBlock)
    {
        var yaml = YamlWriter.Write(new JsonObject { ["config.yaml"] = text });

        Assert.Equal(asBlock, yaml.StartsWith("config.yaml: |\n", StringComparison.Ordinal));
        var read = new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<Dictionary<string, string>>(yaml);
        Assert.Equal(text, read["config.yaml"]);
    }
}
