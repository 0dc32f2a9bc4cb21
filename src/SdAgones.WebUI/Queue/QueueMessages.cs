using System.Text.Json.Serialization;

namespace SdAgones.WebUI.Queue;

// The message shapes of Gradio 3.41's /queue/join (gradio-app/gradio v3.41.0: gradio/routes.py join_queue,
// gradio/queueing.py, gradio/data_classes.py Estimation), as the stand-in sends them.

/// <summary>The server's first message: the client must answer with its session hash and fn_index.</summary>
internal sealed record SendHashMessage
{
    public string Msg => "send_hash";
}

/// <summary>Where the event stands in the queue (Gradio's <c>Estimation</c>); times are seconds, null before any run.</summary>
internal sealed record EstimationMessage(
    int Rank,
    int QueueSize,
    double? AvgEventProcessTime,
    double? AvgEventConcurrentProcessTime,
    double? RankEta,
    double QueueEta)
{
    [JsonPropertyOrder(-1)]
    public string Msg => "estimation";
}

/// <summary>The server is ready for the event's inputs.</summary>
internal sealed record SendDataMessage
{
    public string Msg => "send_data";
}

/// <summary>The event's function has started.</summary>
internal sealed record ProcessStartsMessage
{
    public string Msg => "process_starts";
}

/// <summary>An intermediate result of a generating function; the stand-in sends one per sampling step.</summary>
internal sealed record ProcessGeneratingMessage(QueueOutput Output)
{
    [JsonPropertyOrder(-1)]
    public string Msg => "process_generating";

    public bool Success => true;
}

/// <summary>The last message before the server closes the socket: the function's output, or an error.</summary>
internal sealed record ProcessCompletedMessage(object Output, bool Success)
{
    [JsonPropertyOrder(-1)]
    public string Msg => "process_completed";
}

/// <summary>A function's output as Gradio's <c>Blocks.process_api</c> returns it.</summary>
internal sealed record QueueOutput(IReadOnlyList<object?> Data, bool IsGenerating, double? Duration, double? AverageDuration);

/// <summary>Gradio's output when the function failed: <c>{"error": "..."}</c>.</summary>
internal sealed record QueueError(string Error);

/// <summary>The client's answer to <c>send_hash</c>.</summary>
internal sealed record SessionInfo(string? SessionHash, int? FnIndex);

/// <summary>The client's answer to <c>send_data</c> (Gradio's <c>PredictBody</c>).</summary>
internal sealed record PredictBody(System.Text.Json.JsonElement? Data, System.Text.Json.JsonElement? EventData, int? FnIndex, string? SessionHash);

/// <summary>One sampling step, the stand-in's payload of <c>process_generating</c>.</summary>
internal sealed record StepProgress(int Step, int Steps);

/// <summary>An image in a Gradio 3.x gallery output, inlined as a data URL (<c>is_file</c> false).</summary>
internal sealed record GalleryImage(string? Name, string Data, bool IsFile);
