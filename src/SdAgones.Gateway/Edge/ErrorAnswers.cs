using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using SdAgones.Gateway.Pages;
using SdAgones.Runtimes.Sessions;

namespace SdAgones.Gateway.Edge;

/// <summary>
/// How the gateway says no: a page for people in browsers, <see cref="ProblemDetails"/> (with a short <c>error</c>
/// code) for API clients and scripts, and never a stack trace.
/// </summary>
internal static class ErrorAnswers
{
    public const string CacheDownDetail = "The session store is unavailable right now; please retry in a few seconds.";

    /// <summary>A browser asking for one of the gateway's pages or the WebUI, not for the gateway's JSON API.</summary>
    public static bool WantsPage(HttpRequest request) =>
        !request.Path.StartsWithSegments("/_sd/api")
        && request.Headers.Accept.Any(a => a?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true);

    public static async Task WriteAsync(HttpContext context, int status, string error, string title, string detail)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.CacheControl = "no-store";
        if (WantsPage(context.Request))
        {
            await PageLayout.Html(MessagePage.Render(title, detail), status).ExecuteAsync(context);
            return;
        }

        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail, Extensions = { ["error"] = error } },
        });
    }
}

/// <summary>
/// The one answer to a fault that is not the person's: the session store being down is a 503 with
/// <c>Retry-After</c>; a request the server could not read (body too large, broken form) is a 4xx with its reason.
/// </summary>
internal sealed class GatewayExceptionHandler : IExceptionHandler
{
    public const int RetryAfterSeconds = 2;

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (context.Response.HasStarted)
        {
            return false;
        }

        if (CacheFault.Is(exception))
        {
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await ErrorAnswers.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "unavailable", "Try again in a moment", ErrorAnswers.CacheDownDetail);
            return true;
        }

        var unreadable = exception switch
        {
            BadHttpRequestException bad => (bad.StatusCode, "the request could not be read: " + bad.Message),
            InvalidDataException invalid => (StatusCodes.Status400BadRequest, "the form could not be read: " + invalid.Message),
            _ => ((int, string)?)null,
        };
        if (unreadable is var (status, detail))
        {
            await ErrorAnswers.WriteAsync(context, status, "bad_request", "Bad request", detail);
            return true;
        }

        return false;
    }
}
