using System.CommandLine;
using System.Globalization;
using SdAgones.Planner.Input;
using SdAgones.Planner.Report;
using SdAgones.Planner.Simulation;
using Spectre.Console;

namespace SdAgones.Planner.Cli;

/// <summary>The command line: options, checks (one line naming the option, exit 1), the run with a progress bar, the outputs.</summary>
public static class PlannerCommand
{
    private static readonly Option<string?> Events = new("--events") { Description = "Session events export (JSONL or CSV) from GET /_sd/api/admin/events." };
    private static readonly Option<bool> Synthetic = new("--synthetic") { Description = "Replay a synthetic profile instead of events (defaults, or --profile)." };
    private static readonly Option<string?> Profile = new("--profile") { Description = "JSON file with a synthetic profile (implies --synthetic); see docs/planner.md." };
    private static readonly Option<int?> People = new("--people") { Description = "Synthetic: how many people (default 500)." };
    private static readonly Option<int?> Days = new("--days") { Description = "Synthetic: how many days (default 7)." };
    private static readonly Option<string> Buffer = new("--buffer") { Description = "Ready buffer sizes to compare, comma-separated.", DefaultValueFactory = _ => "1" };
    private static readonly Option<string> IdleTimeout = new("--idle-timeout") { Description = "Idle timeouts to compare, comma-separated.", DefaultValueFactory = _ => "15m" };
    private static readonly Option<string> Policy = new("--policy") { Description = "Ready policies to compare, comma-separated (buffer).", DefaultValueFactory = _ => "buffer" };
    private static readonly Option<string> TargetOption = new("--target") { Description = "Service level for the recommendation: p50|p95|max<=DURATION or share<=PERCENT.", DefaultValueFactory = _ => "p95<=60s" };
    private static readonly Option<string?> Html = new("--html") { Description = "Write the HTML report (table and two SVG plots) to this file." };
    private static readonly Option<string> WarmUpOption = new("--warmup") { Description = "GameServer creation to Ready: a duration or MIN..MAX (uniform).", DefaultValueFactory = _ => "30s" };
    private static readonly Option<string> MaxRuntimes = new("--max-runtimes") { Description = "Node pool maximum: GameServers a pool may have at once.", DefaultValueFactory = _ => "100" };
    private static readonly Option<string> CheckInterval = new("--check-interval") { Description = "Cruiser idle pass interval (Idle:CheckInterval).", DefaultValueFactory = _ => Durations.Format(PlanRequest.ProductIdle.CheckInterval) };
    private static readonly Option<string> RecordedIdle = new("--recorded-idle-timeout") { Description = "Idle:Timeout of the run that wrote the events (to recover last activity).", DefaultValueFactory = _ => Durations.Format(PlanRequest.ProductIdle.Timeout) };
    private static readonly Option<string?> JsonOut = new("--json") { Description = "Write the figures unrounded as JSON to this file." };
    private static readonly Option<string?> WriteEvents = new("--write-events") { Description = "Synthetic: also write the visits as session events (JSONL, as the admin export) to this file." };
    private static readonly Option<string> Order = new("--order") { Description = "Waiting order: fifo, or fair-share (the product's Usage:FairShare=true).", DefaultValueFactory = _ => "fifo" };
    private static readonly Option<string?> HalfLife = new("--half-life") { Description = $"Fair share: usage counts half after this long (Usage:HalfLife, default {Durations.Format(FairShareWaitingOrder.ProductDefaults.HalfLife)})." };
    private static readonly Option<string?> MaxWaitBehindLater = new("--max-wait-behind-later") { Description = $"Fair share: the ageing bound (Usage:MaxWaitBehindLater, default {Durations.Format(FairShareWaitingOrder.ProductDefaults.MaxWaitBehindLater)})." };
    private static readonly Option<string?> UsageScale = new("--usage-scale") { Description = $"Fair share: decayed usage costing half the bound (Usage:UsageScale, default {Durations.Format(FairShareWaitingOrder.ProductDefaults.UsageScale)})." };
    private static readonly Option<int> Seed = new("--seed") { Description = "Random seed (warm-up draws, synthetic arrivals).", DefaultValueFactory = _ => 1 };

    public static int Run(string[] args)
    {
        var root = new RootCommand("SdAgones capacity planner: replay a week of arrivals and compare Buffer, idle timeout and fleet size by GPU-hours against waiting.")
        {
            Events, Synthetic, Profile, People, Days, Buffer, IdleTimeout, Policy, TargetOption, Html, WarmUpOption, MaxRuntimes, CheckInterval, RecordedIdle, JsonOut, WriteEvents, Order, HalfLife, MaxWaitBehindLater, UsageScale, Seed,
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            Console.Error.WriteLine($"planner: {parsed.Errors[0].Message}");
            return 1;
        }

        if (parsed.Action is not null && parsed.CommandResult.Command == root && args.Any(a => a is "--help" or "-h" or "-?" or "--version"))
        {
            return parsed.Invoke();
        }

        try
        {
            var request = Check(parsed);
            if (parsed.GetValue(WriteEvents) is { } eventsOut)
            {
                if (request.Profile is null)
                {
                    throw new PlannerInputException("--write-events: only with --synthetic (the events exist already).");
                }

                EventLogWriter.Write(eventsOut, request.Profile.Generate(request.Parameters.Seed), request.RecordedIdleTimeout);
                Console.WriteLine($"Session events: {Path.GetFullPath(eventsOut)}");
            }

            var report = PlanWithProgress(request);
            ConsoleReport.Write(Output(), report);
            if (request.HtmlPath is { } html)
            {
                File.WriteAllText(html, HtmlReport.Render(report));
                Console.WriteLine($"HTML report: {Path.GetFullPath(html)}");
            }

            if (parsed.GetValue(JsonOut) is { } json)
            {
                File.WriteAllText(json, JsonReport.Render(report));
            }

            return 0;
        }
        catch (PlannerInputException ex)
        {
            Console.Error.WriteLine($"planner: {ex.Message}");
            return 1;
        }
    }

    private static PlanRequest Check(ParseResult p)
    {
        var events = p.GetValue(Events);
        var profilePath = p.GetValue(Profile);
        var synthetic = p.GetValue(Synthetic) || profilePath is not null;
        if (events is null == !synthetic)
        {
            throw new PlannerInputException("give either --events FILE or --synthetic (optionally with --profile FILE), not both and not neither.");
        }

        SyntheticProfile? profile = null;
        if (synthetic)
        {
            profile = profilePath is null ? new SyntheticProfile() : SyntheticProfile.Load(profilePath);
            if (p.GetValue(People) is { } people)
            {
                profile.People = people > 0 ? people : throw new PlannerInputException($"--people: {people} is not allowed (a whole number > 0).");
            }

            if (p.GetValue(Days) is { } days)
            {
                profile.Days = days > 0 ? days : throw new PlannerInputException($"--days: {days} is not allowed (a whole number > 0).");
            }
        }

        var policies = p.GetValue(Policy)!.Split(',', StringSplitOptions.TrimEntries).Distinct().ToList();
        foreach (var policy in policies.Where(x => !ReadyPolicies.Known.Contains(x)))
        {
            throw new PlannerInputException($"--policy: '{policy}' is not available (allowed: {string.Join(", ", ReadyPolicies.Known)}; a forecast policy comes with the pre-warm issue).");
        }

        var grid = (from policy in policies
                    from buffer in PlanRequest.Whole("--buffer", p.GetValue(Buffer)!, 0)
                    from timeout in PlanRequest.Positive("--idle-timeout", p.GetValue(IdleTimeout)!)
                    select new PlanSetting(buffer, timeout, policy)).ToList();
        var max = PlanRequest.Whole("--max-runtimes", p.GetValue(MaxRuntimes)!, 1);
        if (max.Count != 1)
        {
            throw new PlannerInputException("--max-runtimes: give one node pool maximum (a whole number ≥ 1).");
        }

        var parameters = new SimulationParameters(
            PlanRequest.ParseWarmUp(p.GetValue(WarmUpOption)!),
            PlanRequest.Duration("--check-interval", p.GetValue(CheckInterval)!),
            max[0],
            p.GetValue(Seed),
            WaitingOrder(p));
        return new PlanRequest(events, profile, grid, Target.Parse(p.GetValue(TargetOption)!), parameters,
            PlanRequest.Duration("--recorded-idle-timeout", p.GetValue(RecordedIdle)!), p.GetValue(Html));
    }

    /// <summary>The <c>--order</c> and its fair-share settings, defaulting to the product's <c>Usage:</c> defaults.</summary>
    private static IWaitingOrder WaitingOrder(ParseResult p)
    {
        var order = p.GetValue(Order)!;
        (string Name, string? Text)[] settings = [("--half-life", p.GetValue(HalfLife)), ("--max-wait-behind-later", p.GetValue(MaxWaitBehindLater)), ("--usage-scale", p.GetValue(UsageScale))];
        switch (order)
        {
            case "fifo":
                foreach (var (name, _) in settings.Where(s => s.Text is not null))
                {
                    throw new PlannerInputException($"{name}: only with --order fair-share (the FIFO line has no usage).");
                }

                return Fifo.Instance;
            case "fair-share":
                var d = FairShareWaitingOrder.ProductDefaults;
                TimeSpan Read(int i, TimeSpan fallback) => settings[i].Text is { } text ? PlanRequest.Duration(settings[i].Name, text) : fallback;
                return new FairShareWaitingOrder(Read(0, d.HalfLife), Read(1, d.MaxWaitBehindLater), Read(2, d.UsageScale));
            default:
                throw new PlannerInputException($"--order: '{order}' is not allowed (allowed: fifo, fair-share).");
        }
    }

    /// <summary>The terminal as it is; a redirected output gets a wide, plain table that stays readable in a file.</summary>
    private static IAnsiConsole Output()
    {
        if (!Console.IsOutputRedirected)
        {
            return AnsiConsole.Console;
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 200;
        return console;
    }

    /// <summary>Runs the plan with a progress bar on a terminal; without one when the output is redirected.</summary>
    private static PlanReport PlanWithProgress(PlanRequest request)
    {
        if (Console.IsOutputRedirected)
        {
            return Planner.Plan(request);
        }

        PlanReport? report = null;
        AnsiConsole.Progress().AutoClear(true).Start(ctx =>
        {
            var task = ctx.AddTask(string.Create(CultureInfo.InvariantCulture, $"simulating {request.Grid.Count} settings"), maxValue: request.Grid.Count);
            var gate = new object();
            report = Planner.Plan(request, () =>
            {
                lock (gate)
                {
                    task.Increment(1);
                }
            });
        });
        return report!;
    }
}
