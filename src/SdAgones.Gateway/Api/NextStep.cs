using System.Globalization;
using SdAgones.Gateway.Allocation;
using SdAgones.Runtimes.Sessions;

namespace SdAgones.Gateway.Api;

/// <summary>
/// What happens next for a person, in one wording for the session API, the waiting room and the pages, so a person
/// is never told something is coming that is not. Why a runtime was given back is the release's own notice
/// (<see cref="SessionLifecycle.Notice"/>), not repeated here.
/// </summary>
internal static class NextStep
{
    /// <summary>A person with a runtime: it stays theirs while they use it.</summary>
    public static string Ready(TimeSpan idleTimeout) => string.Format(CultureInfo.InvariantCulture,
        "Your runtime stays yours while you use it; after {0} without activity it is given back, and your next request then starts a new one.",
        SessionLifecycle.Describe(idleTimeout));

    /// <summary>A person with no runtime and not in line: nothing comes by itself.</summary>
    public const string None = "You have no runtime; your next request to your WebUI starts one.";

    /// <summary>A person on the way to a runtime, as the waiting page and the session API tell it.</summary>
    public static string Waiting(WaitStage stage, long? position) => stage switch
    {
        WaitStage.Ready => "Your runtime is ready.",
        WaitStage.Starting => "Runtimes are starting; you get the next free one, and the waiting page moves on to your WebUI by itself.",
        WaitStage.Allocating => "Your runtime is being allocated; the waiting page moves on to your WebUI by itself.",
        _ when position is { } n => string.Format(CultureInfo.InvariantCulture,
            "You are number {0} in the queue; the waiting page moves on to your WebUI by itself once a runtime is free.", n),
        _ => "All runtimes are in use; the waiting page moves on to your WebUI by itself once a runtime is free.",
    };

    /// <summary>The same for scripts, which get JSON and a Retry-After instead of the page.</summary>
    public static string WaitingForScripts(WaitStage stage, long? position, int retryAfterSeconds) => stage switch
    {
        WaitStage.Ready => "Your runtime is ready.",
        _ => string.Format(CultureInfo.InvariantCulture,
            "{0}; ask again after {1} s (Retry-After) to keep your place, and your request goes through once your runtime is ready.",
            stage switch
            {
                WaitStage.Starting => "Runtimes are starting; you get the next free one",
                WaitStage.Allocating => "Your runtime is being allocated",
                _ when position is { } n => string.Format(CultureInfo.InvariantCulture, "All runtimes are in use; you are number {0} in the queue", n),
                _ => "All runtimes are in use",
            },
            retryAfterSeconds),
    };
}
