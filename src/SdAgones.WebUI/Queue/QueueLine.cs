namespace SdAgones.WebUI.Queue;

/// <summary>
/// The events waiting on or running in <c>/queue/join</c> and the average run time, for the <c>estimation</c>
/// message: Gradio 3.41's <c>Queue.push</c>, <c>update_estimation</c> and <c>get_estimation</c>
/// (gradio-app/gradio v3.41.0, gradio/queueing.py), with one worker, as the stand-in runs one job at a time.
/// </summary>
internal sealed class QueueLine
{
    private readonly Lock _gate = new();
    private int _waiting;
    private double _totalSeconds;
    private int _runs;

    /// <summary>Adds an event; its rank is the number of events before it.</summary>
    public EstimationMessage Join()
    {
        lock (_gate)
        {
            var rank = _waiting++;
            double? average = _runs == 0 ? null : _totalSeconds / _runs;
            return new EstimationMessage(
                Rank: rank,
                QueueSize: _waiting,
                AvgEventProcessTime: average,
                AvgEventConcurrentProcessTime: average,
                RankEta: average is { } a ? (rank + 1) * a : null,
                QueueEta: (average ?? 0) * _waiting);
        }
    }

    /// <summary>Removes an event; <paramref name="ranFor"/> is its run time when it completed, null when it did not.</summary>
    public (double? Duration, double? Average) Leave(TimeSpan? ranFor)
    {
        lock (_gate)
        {
            _waiting--;
            if (ranFor is { } run)
            {
                _totalSeconds += run.TotalSeconds;
                _runs++;
            }

            return (ranFor?.TotalSeconds, _runs == 0 ? null : _totalSeconds / _runs);
        }
    }
}
