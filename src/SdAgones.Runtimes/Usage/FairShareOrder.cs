using Microsoft.Extensions.Options;
using SdAgones.Runtimes.Sessions;

namespace SdAgones.Runtimes.Usage;

/// <summary>
/// Gives the waiting line's join script the terms of <see cref="FairShare.Priority"/> for a person (their usage key, the
/// half-life, their weight, the scale and the ageing bound); the script reads the usage once, when the person joins, in
/// the same round trip, whatever the length of the line. With <see cref="UsageOptions.FairShare"/> off the line stays FIFO.
/// </summary>
public sealed class FairShareOrder(IOptions<UsageOptions> options) : IWaitingOrder
{
    public FairShareTerms? TermsFor(string user)
    {
        var o = options.Value;
        return o.FairShare ? new FairShareTerms(UsageLedger.PersonKey(user), o.HalfLife, o.WeightFor(user), o.UsageScale, o.MaxWaitBehindLater) : null;
    }
}
