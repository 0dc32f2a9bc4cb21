using SdAgones.Manifests;
using SdAgones.Manifests.Aspire;
using SdAgones.Manifests.Settings;

// Usage (deploy/generate-manifests runs both):
//   SdAgones.Manifests apphost-args --settings deploy/settings.json
//   SdAgones.Manifests check --settings deploy/settings.json      (deploy/gke.sh, before it touches the cloud)
//   SdAgones.Manifests node-pools --settings deploy/settings.json (deploy/gke.sh: one GPU node pool per profile, one line each)
//   SdAgones.Manifests --aspire-manifest <file> --settings deploy/settings.json --output manifests [--keep-aspire-manifest deploy/aspire-manifest.json]
const string Example = "e.g. SdAgones.Manifests check --settings deploy/settings.json";
var allowedOptions = new Dictionary<string, string[]>(StringComparer.Ordinal)
{
    ["generate"] = ["aspire-manifest", "settings", "output", "keep-aspire-manifest"],
    ["apphost-args"] = ["settings"],
    ["check"] = ["settings"],
    ["node-pools"] = ["settings"],
};

// Every mistake on the command line is one line on stderr naming the argument, what is allowed and an example; exit 1.
int Refuse(string line)
{
    Console.Error.WriteLine(line);
    return 1;
}

var command = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "generate";
if (!allowedOptions.TryGetValue(command, out var known))
{
    return Refuse($"unknown command '{command}'; use generate, apphost-args, check or node-pools, {Example}");
}

var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = args.Length > 0 && args[0] == command ? 1 : 0; i < args.Length; i += 2)
{
    var name = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..] : null;
    if (name is null || !known.Contains(name))
    {
        return Refuse($"unexpected argument '{args[i]}' for '{command}'; use {string.Join(", ", known.Select(k => "--" + k))}, {Example}");
    }

    if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
    {
        return Refuse($"--{name} needs a value; {Example}");
    }

    options[name] = args[i + 1];
}

var required = command == "generate" ? ["aspire-manifest", "settings", "output"] : new[] { "settings" };
if (required.FirstOrDefault(r => !options.ContainsKey(r)) is { } missing)
{
    return Refuse($"--{missing} is required for '{command}'; {(command == "generate" ? "e.g. SdAgones.Manifests --aspire-manifest deploy/aspire-manifest.json --settings deploy/settings.json --output manifests" : Example)}");
}

var settingsPath = options["settings"];
if (!File.Exists(settingsPath))
{
    return Refuse($"--settings = \"{settingsPath}\" is not a file; use the path of your settings file, e.g. --settings deploy/settings.json");
}

try
{
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

        case "node-pools":
            foreach (var pool in NodePools.For(settings))
            {
                Console.WriteLine(pool);
            }

            return 0;

        case "generate":
            var manifestPath = options["aspire-manifest"];
            var output = options["output"];
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
            return Refuse($"unknown command '{command}'; {Example}");
    }
}
catch (SettingsException ex)
{
    Console.Error.WriteLine(ex.Message); // one line per bad key, each naming file:line, key, value, what is allowed, an example
    return 1;
}
catch (Exception ex) when (ex is AspireManifestException or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine("error: " + ex.Message.ReplaceLineEndings(" "));
    return 1;
}
