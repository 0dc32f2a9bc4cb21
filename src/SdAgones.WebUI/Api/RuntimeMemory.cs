using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace SdAgones.WebUI.Api;

/// <summary>
/// <c>GET /sdapi/v1/memory</c> in A1111's shape (modules/api/api.py <c>get_memory</c>): <c>ram</c> of the process and
/// <c>cuda</c> of the GPU. The stand-in has no GPU; it reports the one its profile has (<c>WebUI:GpuMemoryGiB</c>) as
/// <c>cuda.system.total</c>, all free, so a person and a test can tell which card a runtime stands for; with none,
/// <c>cuda</c> is <c>{"error":"unavailable"}</c>, as A1111 answers without CUDA.
/// </summary>
internal static class RuntimeMemory
{
    private const long GiB = 1024L * 1024 * 1024;

    public static IResult Get(IOptions<StandInOptions> options)
    {
        using var process = Process.GetCurrentProcess();
        var used = process.WorkingSet64;
        var total = Math.Max(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, used);
        var ram = new JsonObject { ["free"] = total - used, ["used"] = used, ["total"] = total };

        var gpu = options.Value.GpuMemoryGiB * GiB;
        JsonObject cuda = gpu == 0
            ? new JsonObject { ["error"] = "unavailable" }
            : new JsonObject
            {
                ["system"] = new JsonObject { ["free"] = gpu, ["used"] = 0L, ["total"] = gpu },
                ["active"] = Counters(),
                ["allocated"] = Counters(),
                ["reserved"] = Counters(),
                ["inactive"] = Counters(),
                ["events"] = new JsonObject { ["retries"] = 0, ["oom"] = 0 },
            };
        return Results.Json(new JsonObject { ["ram"] = ram, ["cuda"] = cuda });
    }

    private static JsonObject Counters() => new() { ["current"] = 0L, ["peak"] = 0L };
}
