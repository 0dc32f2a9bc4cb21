using SdAgones.Manifests;
using SdAgones.Manifests.Aspire;
using SdAgones.Manifests.Settings;

// Usage (deploy/generate-manifests runs both):
//   SdAgones.Manifests apphost-args --settings deploy/settings.json
//   SdAgones.Manifests check --settings deploy/settings.json      (deploy/gke.sh, before it touches the cloud)
//   SdAgones.Manifests --aspire-manifest <file> --settings deploy/settings.json --output manifests [--keep-aspire-manifest deploy/aspire-manifest.json]
const string Usage = """
    usage: SdAgones.Manifests --aspire-manifest FILE --settings FILE --output DIR [--keep-aspire-manifest FILE]
           SdAgones.Manifests apphost-args --settings FILE
           SdAgones.Manifests check --settings FILE
    """;

var command = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "generate";
var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = command == "generate" ? 0 : 1; i < args.Length; i += 2)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
    {
        Console.Error.WriteLine($"unexpected argument '{args[i]}'\n{Usage}");
        return 2;
    }

    options[args[i][2..]] = args[i + 1];
}

string Option(string name) =>
    options.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required.\n{Usage}");

try
{
    var settingsPath = Option("settings");
    var settings = DeploySettings.Parse(File.ReadAllText(settingsPath), settingsPath);

    switch (command)
    {
        case "apphost-args":
            foreach (var argument in ManifestGenerator.AppHostArguments(settings))
            {
                Console.WriteLine(argument);
            }

            return 0;

        case "check":
            return 0;

        case "generate":
            var manifestPath = Option("aspire-manifest");
            var output = Option("output");
            var manifest = AspireManifest.Parse(File.ReadAllText(manifestPath));
            var files = ManifestGenerator.Generate(manifest, settings);
            foreach (var note in files.WriteTo(output))
            {
                Console.WriteLine(note);
            }

            if (options.TryGetValue("keep-aspire-manifest", out var keep))
            {
                var from = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
                var to = Path.GetDirectoryName(Path.GetFullPath(keep))!;
                File.WriteAllText(keep, manifest.ToJson(from, to));
            }

            Console.WriteLine($"wrote {files.Files.Count} files under {output}");
            return 0;

        default:
            Console.Error.WriteLine($"unknown command '{command}'\n{Usage}");
            return 2;
    }
}
catch (Exception ex) when (ex is SettingsException or AspireManifestException or ArgumentException or IOException)
{
    Console.Error.WriteLine("error: " + ex.Message);
    return 1;
}
