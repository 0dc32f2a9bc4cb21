using System.Globalization;
using SdAgones.Runtimes.Sessions;

namespace SdAgones.Gateway.Api;

/// <summary>
/// <c>GET /_sd/api/admin/events?format=jsonl|csv&amp;since=…&amp;until=…</c>: the session event log for usage and
/// planning tools; <c>since</c> is inclusive, <c>until</c> exclusive, both ISO 8601 instants.
/// </summary>
internal static class SessionEventExport
{
    public static async Task<IResult> ExportAsync(HttpRequest request, SessionEventLog events)
    {
        var format = request.Query["format"].ToString() is { Length: > 0 } f ? f.ToLowerInvariant() : "jsonl";
        if (format is not ("jsonl" or "csv"))
        {
            return BadRequest($"format must be jsonl or csv, got '{format}'");
        }

        if (!TryInstant(request, "since", out var since, out var problem) || !TryInstant(request, "until", out var until, out problem))
        {
            return BadRequest(problem!);
        }

        var list = await events.ReadAsync(since, until);
        return format == "csv"
            ? Results.Text(SessionEventLog.ToCsv(list), "text/csv; charset=utf-8")
            : Results.Text(SessionEventLog.ToJsonLines(list), "application/jsonl; charset=utf-8");
    }

    private static bool TryInstant(HttpRequest request, string name, out DateTimeOffset? value, out string? problem)
    {
        value = null;
        problem = null;
        var text = request.Query[name].ToString();
        if (text.Length == 0)
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            value = parsed;
            return true;
        }

        problem = $"{name} must be an ISO 8601 instant such as 2026-11-30T00:00:00Z, got '{text}'";
        return false;
    }

    private static IResult BadRequest(string detail) =>
        Results.Json(new { error = "bad_request", detail }, statusCode: StatusCodes.Status400BadRequest);
}
