namespace SdAgones.Cruiser.Reconciliation;

/// <summary>Section <c>Reconcile</c>.</summary>
public sealed class ReconcileOptions
{
    public const string Section = "Reconcile";

    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>An Allocated runtime with no session is left alone this long (its gateway may still be binding it).</summary>
    public TimeSpan OrphanGrace { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A queue entry whose person stopped asking this long ago is dropped.</summary>
    public TimeSpan QueueEntryTtl { get; set; } = TimeSpan.FromSeconds(30);
}
