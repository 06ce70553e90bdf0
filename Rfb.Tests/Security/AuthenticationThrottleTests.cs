using System.Net;
using Rfb.Security;

namespace Rfb.Tests.Security;

public sealed class AuthenticationThrottleTests
{
    private static readonly IPAddress s_client = IPAddress.Parse("192.0.2.10");
    private static readonly IPAddress s_other = IPAddress.Parse("192.0.2.20");

    private readonly ManualTimeProvider _clock = new();

    [Fact]
    public void RecordFailure_FourTimes_DoesNotBlock()
    {
        var throttle = new AuthenticationThrottle(timeProvider: _clock);
        Fail(throttle, s_client, 4);
        Assert.False(throttle.IsBlocked(s_client, out TimeSpan remaining));
        Assert.Equal(TimeSpan.Zero, remaining);
    }

    [Fact]
    public void RecordFailure_FifthTime_BlocksForTenSeconds()
    {
        var throttle = new AuthenticationThrottle(timeProvider: _clock);
        Fail(throttle, s_client, 5);
        Assert.True(throttle.IsBlocked(s_client, out TimeSpan remaining));
        Assert.Equal(TimeSpan.FromSeconds(10), remaining);
        Assert.False(throttle.IsBlocked(s_other, out _));
    }

    [Fact]
    public void IsBlocked_AfterBlockElapses_IsFalse()
    {
        var throttle = new AuthenticationThrottle(timeProvider: _clock);
        Fail(throttle, s_client, 5);
        _clock.Advance(TimeSpan.FromSeconds(9));
        Assert.True(throttle.IsBlocked(s_client, out TimeSpan remaining));
        Assert.Equal(TimeSpan.FromSeconds(1), remaining);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(throttle.IsBlocked(s_client, out _));
    }

    [Fact]
    public void RecordFailure_AfterBlock_DoublesBlockUpToOneHour()
    {
        var throttle = new AuthenticationThrottle(timeProvider: _clock);
        Fail(throttle, s_client, 5);
        int[] expectedSeconds = [20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600];
        foreach (int seconds in expectedSeconds)
        {
            Assert.True(throttle.IsBlocked(s_client, out TimeSpan before));
            _clock.Advance(before);
            Assert.False(throttle.IsBlocked(s_client, out _));

            throttle.RecordFailure(s_client);
            Assert.True(throttle.IsBlocked(s_client, out TimeSpan remaining));
            Assert.Equal(TimeSpan.FromSeconds(seconds), remaining);
        }
    }

    [Fact]
    public void RecordSuccess_AfterBlock_ResetsAddress()
    {
        var throttle = new AuthenticationThrottle(timeProvider: _clock);
        Fail(throttle, s_client, 6);
        throttle.RecordSuccess(s_client);
        Assert.False(throttle.IsBlocked(s_client, out _));

        Fail(throttle, s_client, 4);
        Assert.False(throttle.IsBlocked(s_client, out _));
        throttle.RecordFailure(s_client);
        Assert.True(throttle.IsBlocked(s_client, out TimeSpan remaining));
        Assert.Equal(TimeSpan.FromSeconds(10), remaining);
    }

    [Fact]
    public void RecordFailure_IPv4MappedIPv6_CountsAsIPv4Address()
    {
        var throttle = new AuthenticationThrottle(timeProvider: _clock);
        IPAddress mapped = IPAddress.Parse("::ffff:192.0.2.10");
        Fail(throttle, mapped, 3);
        Fail(throttle, s_client, 2);
        Assert.True(throttle.IsBlocked(s_client, out _));
        Assert.True(throttle.IsBlocked(mapped, out _));
        Assert.True(throttle.IsBlocked(s_client.MapToIPv6(), out _));
        Assert.False(throttle.IsBlocked(IPAddress.Parse("::192.0.2.10"), out _)); // IPv4-compatible is another address
        Assert.Equal(1, throttle.TrackedAddressCount);

        throttle.RecordSuccess(mapped);
        Assert.False(throttle.IsBlocked(s_client, out _));
    }

    [Fact]
    public void RecordFailure_IPv6Address_IsTrackedOnItsOwn()
    {
        var throttle = new AuthenticationThrottle(timeProvider: _clock);
        Fail(throttle, IPAddress.Parse("2001:db8::1"), 5);
        Assert.True(throttle.IsBlocked(IPAddress.Parse("2001:db8::1"), out _));
        Assert.False(throttle.IsBlocked(IPAddress.Parse("2001:db8::2"), out _));
    }

    [Fact]
    public void RecordFailure_MoreAddressesThanCap_KeepsCapAndEvictsOldest()
    {
        var options = new AuthenticationThrottleOptions { FailureThreshold = 1, MaxTrackedAddresses = 3 };
        var throttle = new AuthenticationThrottle(options, _clock);
        for (int i = 1; i <= 10; i++)
        {
            throttle.RecordFailure(IPAddress.Parse($"198.51.100.{i}"));
            _clock.Advance(TimeSpan.FromMilliseconds(100));
            Assert.True(throttle.TrackedAddressCount <= 3);
        }

        Assert.Equal(3, throttle.TrackedAddressCount);
        for (int i = 1; i <= 7; i++)
        {
            Assert.False(throttle.IsBlocked(IPAddress.Parse($"198.51.100.{i}"), out _));
        }

        for (int i = 8; i <= 10; i++)
        {
            Assert.True(throttle.IsBlocked(IPAddress.Parse($"198.51.100.{i}"), out _));
        }
    }

    [Fact]
    public void RecordFailure_CapReached_EvictsForgottenEntriesBeforeOldest()
    {
        var options = new AuthenticationThrottleOptions
        {
            FailureThreshold = 1,
            MaxTrackedAddresses = 2,
            ForgetAfter = TimeSpan.FromSeconds(5),
        };
        var throttle = new AuthenticationThrottle(options, _clock);
        Fail(throttle, s_client, 3);            // t=0: blocked 10 s, then 20 s, then 40 s: until t=40
        _clock.Advance(TimeSpan.FromSeconds(1));
        throttle.RecordFailure(s_other);        // t=1: blocked until t=11, forgotten from t=16
        _clock.Advance(TimeSpan.FromSeconds(19));

        IPAddress third = IPAddress.Parse("192.0.2.30");
        throttle.RecordFailure(third);          // t=20: s_client is the oldest, s_other is forgotten

        Assert.True(throttle.IsBlocked(s_client, out TimeSpan remaining));
        Assert.Equal(TimeSpan.FromSeconds(20), remaining);
        Assert.True(throttle.IsBlocked(third, out _));
        Assert.Equal(2, throttle.TrackedAddressCount);
    }

    [Fact]
    public void RecordFailure_AfterForgetAfterOfQuiet_StartsAfresh()
    {
        var options = new AuthenticationThrottleOptions { ForgetAfter = TimeSpan.FromMinutes(1) };
        var throttle = new AuthenticationThrottle(options, _clock);
        Fail(throttle, s_client, 4);
        _clock.Advance(TimeSpan.FromMinutes(1));
        throttle.RecordFailure(s_client);
        Assert.False(throttle.IsBlocked(s_client, out _));
    }

    [Fact]
    public void RecordFailure_FromManyThreads_CountsEveryFailure()
    {
        var options = new AuthenticationThrottleOptions { FailureThreshold = 8 * 500 };
        var throttle = new AuthenticationThrottle(options, _clock);
        Parallel.For(0, 8, _ =>
        {
            for (int i = 0; i < 499; i++)
            {
                throttle.RecordFailure(s_client);
            }
        });
        Assert.False(throttle.IsBlocked(s_client, out _));
        Parallel.For(0, 8, _ => throttle.RecordFailure(s_client));
        Assert.True(throttle.IsBlocked(s_client, out _));
    }

    [Fact]
    public void IsBlockedAndRecordFailure_TrackedAddress_DoNotAllocate()
    {
        var throttle = new AuthenticationThrottle(new AuthenticationThrottleOptions { FailureThreshold = 1000 }, _clock);
        IPAddress mapped = IPAddress.Parse("::ffff:192.0.2.10");
        for (int i = 0; i < 100; i++)
        {
            throttle.RecordFailure(s_client);
            throttle.IsBlocked(mapped, out _);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            throttle.RecordFailure(s_client);
            throttle.IsBlocked(mapped, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Constructor_InvalidOptions_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AuthenticationThrottle(new AuthenticationThrottleOptions { FailureThreshold = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AuthenticationThrottle(new AuthenticationThrottleOptions { MaxTrackedAddresses = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AuthenticationThrottle(new AuthenticationThrottleOptions { MaxBlock = TimeSpan.FromSeconds(1) }));
    }

    private static void Fail(AuthenticationThrottle throttle, IPAddress address, int times)
    {
        for (int i = 0; i < times; i++)
        {
            throttle.RecordFailure(address);
        }
    }
}
