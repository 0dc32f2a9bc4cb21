namespace SdAgones.Gateway.Allocation;

/// <summary>How the gateway claims runtimes (section <c>Allocation</c>).</summary>
public sealed class AllocationOptions
{
    public const string Section = "Allocation";

    /// <summary>The per-person allocation lock expires after this, should its holder die mid-allocation.</summary>
    public TimeSpan LockTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a request waits for another instance's allocation for the same person before showing the waiting room.</summary>
    public TimeSpan WaitForPeer { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries when Agones answers Contention.</summary>
    public int ContentionRetries { get; set; } = 3;
}
