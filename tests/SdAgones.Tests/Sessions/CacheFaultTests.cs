using System.IO.Pipelines;
using SdAgones.Runtimes.Sessions;
using StackExchange.Redis;

namespace SdAgones.Tests.Sessions;

/// <summary>
/// A cache client failing under a command is a cache fault (503, a retried cruiser pass), not a crash: including the
/// bare InvalidOperationException StackExchange.Redis 2.13 lets out of its pipe when the connection is torn down
/// (seen stopping the cruiser's host under load; https://github.com/StackExchange/StackExchange.Redis/issues/3085).
/// </summary>
public sealed class CacheFaultTests
{
    [Fact]
    public void A_pipe_read_after_completion_is_a_cache_fault()
    {
        var pipe = new Pipe();
        pipe.Reader.Complete();
        var thrown = Assert.Throws<InvalidOperationException>(() => pipe.Reader.AdvanceTo(default(SequencePosition)));
        Assert.Contains("Reading is not allowed", thrown.Message);

        Assert.True(CacheFault.Is(thrown));
    }

    [Fact]
    public void The_client_s_own_exceptions_are_cache_faults()
    {
        Assert.True(CacheFault.Is(new RedisConnectionException(ConnectionFailureType.SocketClosed, "closed")));
        Assert.True(CacheFault.Is(new RedisTimeoutException("timeout", CommandStatus.Sent)));
    }

    [Fact]
    public void Our_own_faults_are_not_hidden_as_cache_faults()
    {
        var ours = Assert.Throws<InvalidOperationException>(Throw);
        Assert.False(CacheFault.Is(ours));
        Assert.False(CacheFault.Is(new IOException("disk full")));

        static void Throw() => throw new InvalidOperationException("a bug of ours");
    }
}
