using System.Diagnostics;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.LocalAgones;

/// <summary>
/// However LocalAgones ends, its runtimes' processes end with it: a real LocalAgones process with real agent and WebUI
/// processes, ended by a signal as a terminal, the Aspire host or the kernel would end it.
/// </summary>
public sealed class RuntimeLifelineTests
{
    [Theory]
    [InlineData("KILL")] // nothing of LocalAgones runs after it: only the runtimes themselves can notice
    [InlineData("TERM")] // LocalAgones stops its pods itself
    public async Task When_LocalAgones_ends_by_SIG_its_runtime_processes_exit_soon_after(string signal)
    {
        var storage = Directory.CreateTempSubdirectory("sdagones-lifeline-").FullName;
        await using var agones = ServiceProcess.Start("SdAgones.LocalAgones", new Dictionary<string, string>
        {
            ["Fleet:BufferSize"] = "2",
            ["Fleet:MinReplicas"] = "0",
            ["Fleet:MaxReplicas"] = "2",
            ["Fleet:StorageRoot"] = storage,
        });
        await agones.WaitUntilHealthyAsync();
        using (var client = new LocalAgonesClient(agones.Url))
        {
            await client.WaitForReadyAsync(2);
        }

        var runtimes = ProcessTable.ChildrenOf(agones.Id);
        try
        {
            Assert.Equal(4, runtimes.Count); // an agent and a WebUI for each of the two runtimes
            Assert.All(runtimes, p => Assert.True(ProcessTable.IsRunning(p), $"process {p.Pid} runs before LocalAgones ends"));

            using (var kill = Process.Start("kill", ["-" + signal, agones.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
                Assert.Equal(0, kill.ExitCode);
            }

            Assert.True(await agones.WaitForExitAsync(TimeSpan.FromSeconds(60)), $"LocalAgones still runs after SIG{signal}");
            await Eventually.HoldsAsync(() => Task.FromResult(runtimes.All(p => !ProcessTable.IsRunning(p))), TimeSpan.FromSeconds(30),
                $"the runtime processes {string.Join(", ", runtimes.Select(p => p.Pid))} to exit after LocalAgones ended by SIG{signal}");
        }
        finally
        {
            foreach (var left in runtimes.Where(ProcessTable.IsRunning))
            {
                using var process = Process.GetProcessById(left.Pid);
                process.Kill(); // a failed run leaves nothing behind
            }

            Directory.Delete(storage, recursive: true);
        }
    }
}
