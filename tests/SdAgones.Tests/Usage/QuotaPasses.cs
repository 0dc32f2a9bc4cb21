using SdAgones.Cruiser;
using SdAgones.Tests.Cruiser;

namespace SdAgones.Tests.Usage;

/// <summary>Fake time moved on one check interval at a time, with the cruiser's quota pass (which folds usage) at each tick.</summary>
internal static class QuotaPasses
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(10);

    public static async Task RunQuotaPassesForAsync(this CruiserWorld world, TimeSpan span)
    {
        for (var passed = TimeSpan.Zero; passed < span; passed += CheckInterval)
        {
            world.Time.Advance(CheckInterval);
            await world.Get<QuotaKeeper>().RunPassAsync(CancellationToken.None);
        }
    }
}
