using System.Net;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace SdAgones.LocalIap;

/// <summary>LocalIap's endpoints: IAP's JWKS, its sign-in page, and the forwarding of everything else.</summary>
public static class LocalIapExtensions
{
    public static WebApplicationBuilder AddLocalIap(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<LocalIapOptions>()
            .BindConfiguration(LocalIapOptions.Section)
            .ValidateSetting("LocalIap:Upstream", o => o.Upstream, o => IsHttpUrl(o.Upstream), "use the gateway's absolute http(s) URL, e.g. http://127.0.0.1:5100")
            .ValidateSetting("LocalIap:Audience", o => o.Audience, o => !string.IsNullOrWhiteSpace(o.Audience), "use the gateway's Identity:Iap:Audience, e.g. /projects/0/global/backendServices/0")
            .ValidateOnStart();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = null; // uploads are the gateway's to limit, as behind IAP
            kestrel.AddServerHeader = false;
        });
        builder.Services.AddDataProtection();
        builder.Services.AddHttpForwarder();
        builder.Services.AddSingleton(_ => new IapSigner());
        builder.Services.AddSingleton<IapSignIn>();
        builder.Services.AddSingleton<IapFront>();
        return builder;
    }

    public static WebApplication MapLocalIap(this WebApplication app)
    {
        var signer = app.Services.GetRequiredService<IapSigner>();
        app.MapGet("/healthz", () => Results.Text("ok")); // LocalIap's own liveness; Google's health checks never pass IAP either
        app.MapGet("/_iap/jwks", () => Results.Text(signer.Jwks, "application/json"));
        app.MapGet("/_iap/signin", (HttpContext context) =>
            SignInPage(SafeReturn(context.Request.Query["returnUrl"]), error: null, StatusCodes.Status200OK));
        app.MapPost("/_iap/signin", async (HttpContext context, IapSignIn signIn) =>
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            var returnUrl = SafeReturn(form["returnUrl"]);
            if (IapSignIn.Normalize(form["email"]) is not { } email)
            {
                return SignInPage(returnUrl, IapSignIn.EmailRule, StatusCodes.Status400BadRequest);
            }

            signIn.SignIn(context.Response, email);
            return Results.Redirect(returnUrl);
        }).DisableAntiforgery();
        app.MapPost("/_iap/signout", (HttpContext context) =>
        {
            IapSignIn.SignOut(context.Response);
            return Results.Redirect("/_iap/signin");
        }).DisableAntiforgery();
        var front = app.Services.GetRequiredService<IapFront>();
        app.Map("/{**path}", front.ForwardAsync);
        return app;
    }

    private static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    /// <summary>A path on this site to go back to after sign-in; anything else becomes <c>/</c>.</summary>
    private static string SafeReturn(string? value) =>
        value is { Length: > 0 } && value[0] == '/' && !value.StartsWith("//", StringComparison.Ordinal) && !value.Contains('\\', StringComparison.Ordinal)
            ? value
            : "/";

    private static IResult SignInPage(string returnUrl, string? error, int status) => Results.Content($$"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Sign in (local IAP)</title></head>
        <body>
        <h1>Sign in</h1>
        <p>This local stand-in plays Google Identity-Aware Proxy: the gateway behind it sees you as the address you give.</p>
        {{(error is null ? "" : $"<p role=\"alert\">{WebUtility.HtmlEncode(error)}</p>")}}
        <form method="post" action="/_iap/signin">
        <input type="hidden" name="returnUrl" value="{{WebUtility.HtmlEncode(returnUrl)}}">
        <label>Google account email <input type="email" name="email" required autofocus></label>
        <button type="submit">Sign in</button>
        </form>
        </body></html>
        """, "text/html; charset=utf-8", statusCode: status);
}

/// <summary>The sign-in cookie, named like IAP's own <c>GCP_IAP_UID</c> and protected so a client cannot write a name into it.</summary>
internal sealed class IapSignIn(IDataProtectionProvider protection)
{
    public const string Cookie = "GCP_IAP_LOCAL";
    public const string EmailRule = "an email address of at most 254 characters, without spaces, e.g. alice@example.com";
    private readonly IDataProtector protector = protection.CreateProtector("SdAgones.LocalIap.SignIn.v1");

    public string? Resolve(HttpRequest request)
    {
        if (!request.Cookies.TryGetValue(Cookie, out var value) || string.IsNullOrEmpty(value))
        {
            return null;
        }

        try
        {
            return Normalize(protector.Unprotect(value));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null; // a cookie from an earlier key or forged: sign in again, as with IAP
        }
    }

    public void SignIn(HttpResponse response, string email) =>
        response.Cookies.Append(Cookie, protector.Protect(email), new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, Path = "/" });

    public static void SignOut(HttpResponse response) => response.Cookies.Delete(Cookie, new CookieOptions { Path = "/" });

    public static string? Normalize(string? email)
    {
        var trimmed = email?.Trim().ToLowerInvariant();
        return trimmed is { Length: > 2 and <= 254 } && trimmed.IndexOf('@', StringComparison.Ordinal) is > 0 and var at && at < trimmed.Length - 1
            && !trimmed.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))
            ? trimmed
            : null;
    }
}

/// <summary>
/// IAP's part on every request: no sign-in cookie is a redirect to the sign-in page (browsers) or 401 (API clients);
/// with one, the request goes to the gateway with IAP's headers, and any such headers the client sent are removed.
/// </summary>
internal sealed class IapFront(
    IHttpForwarder forwarder, IapSigner signer, IapSignIn signIn, IOptions<LocalIapOptions> options, TimeProvider time) : IDisposable
{
    public const string AssertionHeader = "x-goog-iap-jwt-assertion";
    public const string EmailHeader = "x-goog-authenticated-user-email";
    public const string IdHeader = "x-goog-authenticated-user-id";

    private readonly HttpMessageInvoker client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
    });

    private readonly ForwarderRequestConfig config = new() { ActivityTimeout = TimeSpan.FromMinutes(20) };

    public async Task ForwardAsync(HttpContext context)
    {
        if (signIn.Resolve(context.Request) is not { } email)
        {
            await ChallengeAsync(context);
            return;
        }

        var settings = options.Value;
        var transformer = new IapHeaders(signer.Token(settings.Audience!, email, time.GetUtcNow()), email);
        var error = await forwarder.SendAsync(context, settings.Upstream!, client, config, transformer);
        if (error != ForwarderError.None && !context.Response.HasStarted)
        {
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            await context.Response.WriteAsync($"LocalIap could not reach the gateway at {settings.Upstream} ({error}).", context.RequestAborted);
        }
    }

    private static Task ChallengeAsync(HttpContext context)
    {
        var request = context.Request;
        context.Response.Headers.CacheControl = "no-store";
        if ((HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            && request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true))
        {
            context.Response.Redirect("/_iap/signin?returnUrl=" + Uri.EscapeDataString(request.GetEncodedPathAndQuery()));
            return Task.CompletedTask;
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        return context.Response.WriteAsync("Not signed in at the local IAP: sign in at /_iap/signin.", context.RequestAborted);
    }

    public void Dispose() => client.Dispose();

    /// <summary>Removes the client's IAP headers (IAP never passes them on) and adds IAP's own; keeps the client's Host.</summary>
    private sealed class IapHeaders(string assertion, string email) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(
            HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            foreach (var name in proxyRequest.Headers.Select(h => h.Key).Where(IsIapHeader).ToList())
            {
                proxyRequest.Headers.Remove(name);
            }

            foreach (var name in proxyRequest.Content?.Headers.Select(h => h.Key).Where(IsIapHeader).ToList() ?? [])
            {
                proxyRequest.Content!.Headers.Remove(name);
            }

            proxyRequest.Headers.TryAddWithoutValidation(AssertionHeader, assertion);
            proxyRequest.Headers.TryAddWithoutValidation(EmailHeader, "accounts.google.com:" + email);
            proxyRequest.Headers.TryAddWithoutValidation(IdHeader, IapSigner.Subject(email));
            proxyRequest.Headers.Host = httpContext.Request.Host.Value;
        }

        private static bool IsIapHeader(string name) =>
            name.StartsWith("x-goog-iap-", StringComparison.OrdinalIgnoreCase) || name.StartsWith("x-goog-authenticated-user-", StringComparison.OrdinalIgnoreCase);
    }
}
