using Microsoft.Extensions.Time.Testing;
using SdAgones.Runtimes.Sessions;
using SdAgones.Tests.Infrastructure;

namespace SdAgones.Tests.Sessions;

/// <summary>The session store against real Redis-protocol servers: embedded Garnet, and Debian's redis-server in CI.</summary>
public sealed class SessionStoreTests(RedisBackends backends) : IClassFixture<RedisBackends>
{
    private readonly FakeTimeProvider time = new(DateTimeOffset.Parse("2026-11-29T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    private async Task<SessionStore> StoreAsync(string backend) => new(await backends.ConnectCleanAsync(backend), time);

    private async Task<WaitingLine> LineAsync(string backend) => new(await backends.ConnectCleanAsync(backend), time);

    private RuntimeSession Session(string user, string runtime) =>
        new(user, runtime, new Uri("http://10.0.0.7:7860/"), time.GetUtcNow(), "node-a");

    [Theory, MemberData(nameof(RedisBackends.Names), MemberType = typeof(RedisBackends))]
    public async Task An_assigned_session_is_found_with_its_runtime(string backend)
    {
        var store = await StoreAsync(backend);
        await store.AssignAsync(Session("alice@example.com", "gs-1"));

        var found = await store.GetAsync("alice@example.com");
        Assert.NotNull(found);
        Assert.Equal("gs-1", found.Runtime);
        Assert.Equal(new Uri("http://10.0.0.7:7860/"), found.Target);
        Assert.Equal("node-a", found.Node);
        Assert.Equal(time.GetUtcNow(), await store.LastSeenAsync("alice@example.com"));
        Assert.Null(await store.GetAsync("bob@example.com"));
    }

    [Theory, MemberData(nameof(RedisBackends.Names), MemberType = typeof(RedisBackends))]
    public async Task Removing_a_session_for_an_old_runtime_leaves_the_new_one_alone(string backend)
    {
        var store = await StoreAsync(backend);
        await store.AssignAsync(Session("alice", "gs-new"));

        Assert.False(await store.RemoveAsync("alice", "gs-old"));
        Assert.Equal("gs-new", (await store.GetAsync("alice"))?.Runtime);
        Assert.True(await store.RemoveAsync("alice", "gs-new"));
        Assert.Null(await store.GetAsync("alice"));
        Assert.Null(await store.LastSeenAsync("alice"));
    }

    [Theory, MemberData(nameof(RedisBackends.Names), MemberType = typeof(RedisBackends))]
    public async Task Activity_after_the_idle_deadline_wins_over_the_reclaim(string backend)
    {
        var store = await StoreAsync(backend);
        await store.AssignAsync(Session("alice", "gs-1"));
        var deadline = time.GetUtcNow();
        time.Advance(TimeSpan.FromSeconds(5));
        await store.TouchAsync("alice", time.GetUtcNow());

        Assert.False(await store.RemoveIfIdleAsync("alice", "gs-1", deadline));
        Assert.NotNull(await store.GetAsync("alice"));
        Assert.True(await store.RemoveIfIdleAsync("alice", "gs-1", time.GetUtcNow()));
    }

    [Theory, MemberData(nameof(RedisBackends.Names), MemberType = typeof(RedisBackends))]
    public async Task The_idle_index_returns_only_people_idle_since_the_deadline(string backend)
    {
        var store = await StoreAsync(backend);
        await store.AssignAsync(Session("early", "gs-1"));
        time.Advance(TimeSpan.FromMinutes(1));
        await store.AssignAsync(Session("late", "gs-2"));

        var idle = await store.IdleSinceAsync(time.GetUtcNow() - TimeSpan.FromSeconds(30), limit: 10);
        Assert.Equal(["early"], idle.Select(i => i.User));
    }

    [Theory, MemberData(nameof(RedisBackends.Names), MemberType = typeof(RedisBackends))]
    public async Task Touching_a_person_without_a_session_creates_nothing(string backend)
    {
        var store = await StoreAsync(backend);
        await store.TouchAsync("ghost", time.GetUtcNow());
        Assert.Null(await store.LastSeenAsync("ghost"));
        Assert.Empty(await store.ListAsync());
    }

    [Theory, MemberData(nameof(RedisBackends.Names), MemberType = typeof(RedisBackends))]
    public async Task Only_the_holder_of_the_allocation_lock_can_release_it(string backend)
    {
        var store = await StoreAsync(backend);
        Assert.True(await store.TryLockAsync("alice", "token-a", TimeSpan.FromSeconds(30)));
        Assert.False(await store.TryLockAsync("alice", "token-b", TimeSpan.FromSeconds(30)));

        await store.UnlockAsync("alice", "token-b");
        Assert.True(await store.IsLockedAsync("alice"));
        await store.UnlockAsync("alice", "token-a");
        Assert.False(await store.IsLockedAsync("alice"));
    }

    [Theory, MemberData(nameof(RedisBackends.Names), MemberType = typeof(RedisBackends))]
    public async Task The_queue_is_first_in_first_out_and_assignment_takes_a_person_out(string backend)
    {
        var redis = await backends.ConnectCleanAsync(backend);
        var store = new SessionStore(redis, time);
        var line = new WaitingLine(redis, time);
        Assert.Equal(0, await line.EnqueueAsync("first"));
        Assert.Equal(1, await line.EnqueueAsync("second"));
        Assert.Equal(2, await line.EnqueueAsync("third"));
        Assert.Equal(1, await line.EnqueueAsync("second")); // asking again keeps the place

        await store.AssignAsync(Session("first", "gs-1"));
        Assert.Equal(["second", "third"], await line.QueueAsync());
        Assert.Equal(0, await line.RankAsync("second"));
    }

    [Theory, MemberData(nameof(RedisBackends.Names), MemberType = typeof(RedisBackends))]
    public async Task People_who_stopped_asking_leave_the_queue(string backend)
    {
        var store = await LineAsync(backend);
        await store.EnqueueAsync("gone");
        time.Advance(TimeSpan.FromMinutes(1));
        await store.EnqueueAsync("here");

        Assert.Equal(1, await store.DropStaleQueueEntriesAsync(time.GetUtcNow() - TimeSpan.FromSeconds(30)));
        Assert.Equal(["here"], await store.QueueAsync());
    }

    [Theory, MemberData(nameof(RedisBackends.Names), MemberType = typeof(RedisBackends))]
    public async Task A_lease_has_one_holder_until_it_is_released(string backend)
    {
        var store = new LeaseStore(await backends.ConnectCleanAsync(backend));
        Assert.True(await store.TryHoldLeaseAsync("cruiser", "one", TimeSpan.FromSeconds(10)));
        Assert.False(await store.TryHoldLeaseAsync("cruiser", "two", TimeSpan.FromSeconds(10)));
        Assert.True(await store.TryHoldLeaseAsync("cruiser", "one", TimeSpan.FromSeconds(10)));

        await store.ReleaseLeaseAsync("cruiser", "one");
        Assert.True(await store.TryHoldLeaseAsync("cruiser", "two", TimeSpan.FromSeconds(10)));
    }

    [Theory, MemberData(nameof(RedisBackends.Names), MemberType = typeof(RedisBackends))]
    public async Task A_notice_is_read_once(string backend)
    {
        var notices = new NoticeBoard(await backends.ConnectCleanAsync(backend));
        await notices.SetAsync("alice", "Your runtime was restarted.");
        Assert.Equal("Your runtime was restarted.", await notices.PeekAsync("alice"));
        Assert.Equal("Your runtime was restarted.", await notices.TakeAsync("alice"));
        Assert.Null(await notices.TakeAsync("alice"));
    }
}
