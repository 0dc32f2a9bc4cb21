namespace SdAgones.Tests.Infrastructure;

/// <summary>Awaits a condition instead of sleeping: polls until it holds or the time is up, then fails with a message.</summary>
public static class Eventually
{
    public static async Task<T> ReturnsAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what, TimeSpan? every = null)
    {
        using var cts = new CancellationTokenSource(timeout);
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await probe() is { } value)
                {
                    return value;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or TaskCanceledException or InvalidOperationException)
            {
                last = ex;
            }

            try
            {
                await Task.Delay(every ?? TimeSpan.FromMilliseconds(100), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}." + (last is null ? "" : $" Last error: {last.Message}"));
            }
        }
    }

    public static Task HoldsAsync(Func<Task<bool>> probe, TimeSpan timeout, string what, TimeSpan? every = null) =>
        ReturnsAsync<object>(async () => await probe() ? new object() : null, timeout, what, every);
}
