using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace SdAgones.Gateway.Identity;

/// <summary>
/// IAP's public keys by <c>kid</c>, fetched from the JWKS and cached; an unknown <c>kid</c> triggers a refresh
/// (Google rotates keys), at most once per <see cref="IapOptions.RefreshMinInterval"/> so forged kids cannot flood it.
/// </summary>
internal sealed partial class IapKeySet(
    IHttpClientFactory httpClients, IOptions<IdentityOptions> options, TimeProvider time, ILogger<IapKeySet> logger)
{
    private readonly SemaphoreSlim refreshing = new(1, 1);
    private Dictionary<string, JsonWebKey> keys = new(StringComparer.Ordinal);
    private DateTimeOffset lastRefresh = DateTimeOffset.MinValue;

    public async Task<JsonWebKey?> FindAsync(string kid, CancellationToken ct)
    {
        if (keys.TryGetValue(kid, out var key))
        {
            return key;
        }

        await RefreshAsync(ct);
        return keys.GetValueOrDefault(kid);
    }

    private async Task RefreshAsync(CancellationToken ct)
    {
        var settings = options.Value.Iap;
        if (time.GetUtcNow() - lastRefresh < settings.RefreshMinInterval)
        {
            return;
        }

        await refreshing.WaitAsync(ct);
        try
        {
            if (time.GetUtcNow() - lastRefresh < settings.RefreshMinInterval)
            {
                return;
            }

            lastRefresh = time.GetUtcNow();
            var json = await httpClients.CreateClient(nameof(IapKeySet)).GetStringAsync(settings.JwksUrl, ct);
            var set = new JsonWebKeySet(json);
            keys = set.Keys.Where(k => !string.IsNullOrEmpty(k.Kid)).ToDictionary(k => k.Kid, StringComparer.Ordinal);
            LogRefreshed(keys.Count);
        }
        catch (Exception ex) when (ex is HttpRequestException or ArgumentException or TaskCanceledException)
        {
            LogRefreshFailed(ex.Message);
        }
        finally
        {
            refreshing.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "IAP key set refreshed: {Count} keys")]
    private partial void LogRefreshed(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "IAP key set could not be fetched: {Reason}")]
    private partial void LogRefreshFailed(string reason);
}
