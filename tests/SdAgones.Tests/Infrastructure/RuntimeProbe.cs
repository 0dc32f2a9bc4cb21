using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace SdAgones.Tests.Infrastructure;

/// <summary>
/// Tells which runtime answered <c>GET /sdapi/v1/cmd-flags</c>: each local runtime's WebUI keeps its data under
/// <c>runtimes/&lt;name&gt;/</c> and reports that folder as <c>data_dir</c>, as A1111 does.
/// </summary>
public static class RuntimeProbe
{
    public static async Task<string> RuntimeThatAnsweredAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var options = await response.Content.ReadFromJsonAsync<JsonElement>();
        var folder = options.GetProperty("data_dir").GetString()!;
        var parts = folder.Split(Path.DirectorySeparatorChar);
        return parts[Array.IndexOf(parts, "runtimes") + 1];
    }

    /// <summary>The runtime serving <paramref name="client"/>'s person, waiting while the gateway shows the waiting room.</summary>
    public static async Task<string> WaitForRuntimeAsync(HttpClient client, string what, TimeSpan? timeout = null)
    {
        var last = "none";
        try
        {
            return await Eventually.ReturnsAsync(async () =>
            {
                var response = await client.GetAsync("/sdapi/v1/cmd-flags");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return await RuntimeThatAnsweredAsync(response);
                }

                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                return null;
            }, timeout ?? TimeSpan.FromSeconds(90), what, TimeSpan.FromMilliseconds(300));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} Last answer: {last}", ex);
        }
    }
}
