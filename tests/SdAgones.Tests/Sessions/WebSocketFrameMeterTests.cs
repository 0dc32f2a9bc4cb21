using SdAgones.Gateway.Sessions;

namespace SdAgones.Tests.Sessions;

/// <summary>Only a WebSocket's data frames count as a person's activity; pings and pongs do not (issue 13 §2).</summary>
public sealed class WebSocketFrameMeterTests
{
    private static byte[] Frame(byte opcode, int length, bool masked)
    {
        var header = new List<byte> { (byte)(0x80 | opcode) };
        var maskBit = masked ? (byte)0x80 : (byte)0;
        if (length < 126)
        {
            header.Add((byte)(maskBit | length));
        }
        else
        {
            header.Add((byte)(maskBit | 126));
            header.Add((byte)(length >> 8));
            header.Add((byte)length);
        }

        if (masked)
        {
            header.AddRange([1, 2, 3, 4]);
        }

        return [.. header, .. Enumerable.Repeat((byte)0x8A, length)]; // payload bytes that look like pong headers
    }

    [Fact]
    public void Pings_and_pongs_are_not_activity_but_text_frames_are_even_when_split_anywhere()
    {
        var meter = new WebSocketFrameMeter();
        Assert.False(meter.Observe(Frame(0x9, 4, masked: true)));
        Assert.False(meter.Observe(Frame(0xA, 0, masked: false)));

        var text = Frame(0x1, 300, masked: true);
        Assert.True(meter.Observe(text.AsSpan(0, 1)));
        Assert.True(meter.Observe(text.AsSpan(1, 150)));
        Assert.True(meter.Observe(text.AsSpan(151)));

        // After the long frame the meter is back on a frame boundary: a pong is still not activity.
        Assert.False(meter.Observe(Frame(0xA, 10, masked: true)));
        Assert.True(meter.Observe([.. Frame(0xA, 2, masked: false), .. Frame(0x2, 5, masked: false)]));
    }
}
