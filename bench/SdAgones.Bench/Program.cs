using SdAgones.Bench;

// One executable, one command per scenario; each prints its figures as one JSON object (see bench/README.md).
var options = BenchArgs.Parse(args.Skip(1));
var command = args.Length > 0 ? args[0] : "help";
object result = command switch
{
    "rate" => await RateLoad.RunAsync(options),
    "seed-people" => await Forwarding.SeedPeopleAsync(options),
    "ws" => await WebSocketLoad.RunAsync(options),
    "ttr" => await TimeToRuntime.RunAsync(options),
    "storm" => await AllocationStorm.RunAsync(options),
    "reclaim-cost" => await ReclaimCost.RunAsync(options),
    "reclaim-lag" => await ReclaimLag.RunAsync(options),
    "soak" => await Soak.RunAsync(options),
    "planner-check" => await PlannerCheck.RunAsync(options),
    "warm-replay" => await WarmReplay.RunAsync(options),
    "report" => Report.Write(options),
    _ => throw new ArgumentException($"unknown command '{command}': rate, seed-people, ws, ttr, storm, reclaim-cost, reclaim-lag, soak, planner-check, warm-replay, report"),
};
var json = System.Text.Json.JsonSerializer.Serialize(result, Json.Options);
if (options.Get("out") is { } path)
{
    await File.WriteAllTextAsync(path, json);
}

Console.WriteLine(json);
