namespace SdAgones.Agent;

/// <summary>Exponential back-off between attempts of a loop that must outlive transient failures.</summary>
internal sealed class Retry(TimeProvider time, TimeSpan first, TimeSpan max)
{
    private readonly TimeSpan initial = first;
    private TimeSpan next = first;

    /// <summary>Waits the current back-off, then doubles it up to the maximum.</summary>
    public async Task WaitAsync(CancellationToken ct)
    {
        var wait = next;
        next = TimeSpan.FromTicks(Math.Min(max.Ticks, next.Ticks * 2));
        await Task.Delay(wait, time, ct);
    }

    public void Reset() => next = initial;

    /// <summary>The next tick of a periodic loop; false once the agent is stopping.</summary>
    public static async Task<bool> NextTickAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Failures a loop survives: the other side is not up, went away, or answered nonsense.</summary>
    public static bool IsTransient(Exception ex, CancellationToken stopping) =>
        !stopping.IsCancellationRequested
        && ex is HttpRequestException or IOException or TaskCanceledException or System.Text.Json.JsonException;
}
