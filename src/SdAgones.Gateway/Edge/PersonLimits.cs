using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace SdAgones.Gateway.Edge;

/// <summary>
/// Caps what one person may hold open through the gateway at once: WebSockets, and forwarded requests of any kind.
/// Slow and stalled bodies are forwarded without a minimum data rate, so these caps (with the activity timeout) are
/// what bounds one person's share of the gateway.
/// </summary>
internal sealed class PersonLimits(IOptionsMonitor<EdgeOptions> options)
{
    private readonly ConcurrentDictionary<string, Held> held = new(StringComparer.Ordinal);

    /// <summary>Takes a place for the request, or returns the reason it is refused.</summary>
    public string? TryEnter(string person, bool webSocket, out IDisposable? place)
    {
        var limits = options.CurrentValue;
        place = null;
        var counts = held.GetOrAdd(person, _ => new Held());
        lock (counts)
        {
            if (counts.Gone)
            {
                return TryEnter(person, webSocket, out place); // emptied and dropped meanwhile: take the fresh entry
            }

            if (webSocket && counts.WebSockets >= limits.WebSocketsPerPerson)
            {
                return $"you already have {counts.WebSockets} WebSocket connections open (the limit is {limits.WebSocketsPerPerson}); close some tabs and retry";
            }

            if (counts.Requests >= limits.RequestsPerPerson)
            {
                return $"you already have {counts.Requests} requests in progress (the limit is {limits.RequestsPerPerson}); wait for some to finish";
            }

            counts.Requests++;
            counts.WebSockets += webSocket ? 1 : 0;
        }

        place = new Place(this, person, counts, webSocket);
        return null;
    }

    private void Leave(string person, Held counts, bool webSocket)
    {
        lock (counts)
        {
            counts.Requests--;
            counts.WebSockets -= webSocket ? 1 : 0;
            if (counts.Requests == 0)
            {
                counts.Gone = true;
                held.TryRemove(new KeyValuePair<string, Held>(person, counts));
            }
        }
    }

    private sealed class Held
    {
        public int Requests;
        public int WebSockets;
        public bool Gone;
    }

    private sealed class Place(PersonLimits owner, string person, Held counts, bool webSocket) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                owner.Leave(person, counts, webSocket);
            }
        }
    }
}
