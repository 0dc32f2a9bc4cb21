using System.Globalization;

namespace SdAgones.Tests.Infrastructure;

/// <summary>
/// The machine's processes as Linux shows them in <c>/proc</c>: who started whom, and whether a process is still the one
/// seen before (a process id alone may be reused, so its start time is kept beside it).
/// </summary>
public static class ProcessTable
{
    /// <summary>One process: its id and its start time (clock ticks after boot).</summary>
    public readonly record struct Entry(int Pid, long StartTicks);

    /// <summary>The running processes whose parent is <paramref name="pid"/>.</summary>
    public static List<Entry> ChildrenOf(int pid) =>
        [.. Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(d => int.TryParse(d, out _))
            .Select(d => Read(int.Parse(d!, CultureInfo.InvariantCulture)))
            .Where(s => s is { State: not 'Z' } && s.Value.Parent == pid)
            .Select(s => s!.Value.Entry)];

    /// <summary>True while the process exists, has not ended (a zombie has), and is the same process as when seen.</summary>
    public static bool IsRunning(Entry process) =>
        Read(process.Pid) is { State: not 'Z' } s && s.Entry.StartTicks == process.StartTicks;

    private static (Entry Entry, int Parent, char State)? Read(int pid)
    {
        try
        {
            // "pid (comm) state ppid ... starttime(22nd)"; comm may hold spaces and parentheses, so fields follow the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (new Entry(pid, long.Parse(fields[19], CultureInfo.InvariantCulture)), int.Parse(fields[1], CultureInfo.InvariantCulture), fields[0][0]);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // the process ended meanwhile
        }
    }
}
