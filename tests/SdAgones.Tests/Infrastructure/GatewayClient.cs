namespace SdAgones.Tests.Infrastructure;

/// <summary>An HTTP client to a gateway as a given person (development identity), optionally as a browser.</summary>
public static class GatewayClient
{
    public static HttpClient For(Uri gateway, string? user, bool html = false, TimeSpan? timeout = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
        {
            BaseAddress = gateway,
            Timeout = timeout ?? TimeSpan.FromSeconds(60),
        };
        if (user is not null)
        {
            client.DefaultRequestHeaders.Add("X-SdAgones-Dev-User", user);
        }

        if (html)
        {
            client.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        }

        return client;
    }
}
