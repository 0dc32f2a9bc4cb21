using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SdAgones.Runtimes.Usage;

/// <summary>Usage rows as JSON lines or CSV (<c>day,person,profile,gpuSeconds</c>), for billing and planning tools.</summary>
public static class UsageExport
{
    public const string CsvHeader = "day,person,profile,gpuSeconds";

    public static string ToJsonLines(IEnumerable<UsageRow> rows)
    {
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.Append(JsonSerializer.Serialize(new { day = UsageCalendar.Name(row.Day), person = row.Person, profile = row.Profile, gpuSeconds = Math.Round(row.GpuSeconds, 3) }))
                .Append('\n');
        }

        return text.ToString();
    }

    public static string ToCsv(IEnumerable<UsageRow> rows)
    {
        var text = new StringBuilder(CsvHeader).Append('\n');
        foreach (var row in rows)
        {
            text.Append(UsageCalendar.Name(row.Day)).Append(',').Append(Csv(row.Person)).Append(',').Append(Csv(row.Profile)).Append(',')
                .Append(row.GpuSeconds.ToString("0.###", CultureInfo.InvariantCulture)).Append('\n');
        }

        return text.ToString();
    }

    private static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
