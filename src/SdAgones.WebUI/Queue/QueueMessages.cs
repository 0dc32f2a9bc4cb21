using System.Text.Json.Serialization;

namespace SdAgones.WebUI.Queue;

/// <summary>A job asked for over the WebSocket: <c>{"fn":"txt2img","prompt":…,"seed":…,"steps":…}</c>.</summary>
internal sealed record QueueJob(string? Fn, string? Prompt, string? NegativePrompt, long? Seed, int? Steps, int? Width, int? Height);

/// <summary>Sent after every sampling step.</summary>
internal sealed record StepMessage(int Step, int Steps)
{
    [JsonPropertyOrder(-1)]
    public string Msg => "progress";
}

/// <summary>Sent over the WebSocket when a job is done.</summary>
internal sealed record SocketCompletedMessage(string Image, long Seed)
{
    [JsonPropertyOrder(-1)]
    public string Msg => "process_completed";

    public bool Success => true;
}

/// <summary>Sent over the WebSocket when a job was refused.</summary>
internal sealed record SocketFailedMessage(string Error, string Detail)
{
    [JsonPropertyOrder(-1)]
    public string Msg => "process_completed";

    public bool Success => false;
}

/// <summary>The last SSE event: the seed used and the size of the PNG made.</summary>
internal sealed record StreamCompletedMessage(long Seed, int Bytes)
{
    [JsonPropertyOrder(-1)]
    public string Msg => "process_completed";
}
