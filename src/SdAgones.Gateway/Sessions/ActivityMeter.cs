using System.Buffers.Binary;
using Microsoft.AspNetCore.Http.Features;

namespace SdAgones.Gateway.Sessions;

/// <summary>
/// Activity is bytes moving, not requests starting: wraps a forwarded request's body, its response body and, for an
/// upgrade, the upgraded stream, so that every read or write that moves bytes notes activity for the person. On a
/// WebSocket only data frames count; pings and pongs (which servers and clients send on their own) do not, so a
/// forgotten tab with an open socket does not hold a runtime.
/// </summary>
internal static class ActivityMeter
{
    /// <summary>Meters every stream of <paramref name="context"/> that YARP will read or write.</summary>
    public static void Attach(HttpContext context, Action noteActivity)
    {
        context.Request.Body = new MeteredStream(context.Request.Body, noteActivity, reads: null, writes: null);
        context.Response.Body = new MeteredStream(context.Response.Body, noteActivity, reads: null, writes: null);

        var webSocket = context.Request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase);
        if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
        {
            context.Features.Set<IHttpUpgradeFeature>(new MeteredUpgrade(upgrade, noteActivity, webSocket));
        }

        if (context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } connect)
        {
            context.Features.Set<IHttpExtendedConnectFeature>(new MeteredExtendedConnect(connect, noteActivity));
        }
    }

    internal static MeteredStream Upgraded(Stream stream, Action noteActivity, bool webSocket) =>
        webSocket
            ? new MeteredStream(stream, noteActivity, new WebSocketFrameMeter(), new WebSocketFrameMeter())
            : new MeteredStream(stream, noteActivity, reads: null, writes: null);

    private sealed class MeteredUpgrade(IHttpUpgradeFeature inner, Action noteActivity, bool webSocket) : IHttpUpgradeFeature
    {
        public bool IsUpgradableRequest => inner.IsUpgradableRequest;

        public async Task<Stream> UpgradeAsync() => Upgraded(await inner.UpgradeAsync(), noteActivity, webSocket);
    }

    private sealed class MeteredExtendedConnect(IHttpExtendedConnectFeature inner, Action noteActivity) : IHttpExtendedConnectFeature
    {
        public bool IsExtendedConnect => inner.IsExtendedConnect;

        public string? Protocol => inner.Protocol;

        public async ValueTask<Stream> AcceptAsync() =>
            Upgraded(await inner.AcceptAsync(), noteActivity, string.Equals(inner.Protocol, "websocket", StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>
/// A pass-through stream that notes activity whenever bytes move; with a <see cref="WebSocketFrameMeter"/> per
/// direction, only when a data frame's bytes move.
/// </summary>
internal sealed class MeteredStream(Stream inner, Action noteActivity, WebSocketFrameMeter? reads, WebSocketFrameMeter? writes) : Stream
{
    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => false;
    public override bool CanWrite => inner.CanWrite;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        Moved(buffer.Span[..read], reads);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = inner.Read(buffer, offset, count);
        Moved(buffer.AsSpan(offset, read), reads);
        return read;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Moved(buffer.Span, writes);
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        Moved(buffer.AsSpan(offset, count), writes);
        inner.Write(buffer, offset, count);
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();

    private void Moved(ReadOnlySpan<byte> bytes, WebSocketFrameMeter? frames)
    {
        if (bytes.Length > 0 && (frames is null || frames.Observe(bytes)))
        {
            noteActivity();
        }
    }
}

/// <summary>
/// Follows one direction of a WebSocket byte stream (RFC 6455 §5.2 framing) and says whether the bytes it saw belong
/// to data frames (text, binary, continuation) rather than control frames (close, ping, pong).
/// </summary>
internal sealed class WebSocketFrameMeter
{
    private readonly byte[] header = new byte[14];
    private int have;
    private int need = 2;
    private long payloadLeft;
    private bool dataFrame;

    /// <summary>True when any of <paramref name="bytes"/> is part of a data frame.</summary>
    public bool Observe(ReadOnlySpan<byte> bytes)
    {
        var data = false;
        while (bytes.Length > 0)
        {
            if (payloadLeft > 0)
            {
                var n = (int)Math.Min(payloadLeft, bytes.Length);
                payloadLeft -= n;
                bytes = bytes[n..];
                data |= dataFrame;
                continue;
            }

            header[have++] = bytes[0];
            bytes = bytes[1..];
            if (have == 1)
            {
                dataFrame = (header[0] & 0x08) == 0; // the opcode is in the first byte
            }

            data |= dataFrame;
            if (have == 2)
            {
                var length7 = header[1] & 0x7F;
                need = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + ((header[1] & 0x80) != 0 ? 4 : 0);
            }

            if (have == need)
            {
                var length7 = header[1] & 0x7F;
                payloadLeft = length7 switch
                {
                    126 => BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2)),
                    127 => (long)Math.Min(BinaryPrimitives.ReadUInt64BigEndian(header.AsSpan(2)), long.MaxValue),
                    _ => length7,
                };
                have = 0;
                need = 2;
            }
        }

        return data;
    }
}
