using System.Text.Json;

namespace SdAgones.Contracts;

/// <summary>
/// Reads AUTOMATIC1111's <c>GET /sdapi/v1/progress</c>: a generation runs or waits while <c>state.job_count</c> &gt; 0
/// or <c>progress</c> &gt; 0. The agent reports it and the cruiser falls back to it, so both read it the same way.
/// </summary>
public static class WebUIProgress
{
    /// <summary>
    /// The progress route as every poller asks it: <c>skip_current_image=true</c>, or A1111 base64-encodes the live
    /// preview into every answer during a generation (AUTOMATIC1111/stable-diffusion-webui, modules/api/api.py,
    /// <c>progressapi</c>).
    /// </summary>
    public const string Path = "sdapi/v1/progress?skip_current_image=true";

    public static bool IsGenerating(JsonElement progress)
    {
        var jobs = progress.TryGetProperty("state", out var state) && state.TryGetProperty("job_count", out var count) && count.TryGetInt32(out var n) ? n : 0;
        var fraction = progress.TryGetProperty("progress", out var p) && p.TryGetDouble(out var value) ? value : 0;
        return jobs > 0 || fraction > 0;
    }
}
