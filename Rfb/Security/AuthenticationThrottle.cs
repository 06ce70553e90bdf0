using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;

namespace Rfb.Security;

/// <summary>
/// Refuses, for a growing time, an address that keeps failing to authenticate (TigerVNC's
/// blacklist): after <see cref="AuthenticationThrottleOptions.FailureThreshold"/> consecutive
/// failures the address is blocked for <see cref="AuthenticationThrottleOptions.InitialBlock"/>;
/// each further failure doubles the block, up to <see cref="AuthenticationThrottleOptions.MaxBlock"/>;
/// a success clears the address.
/// </summary>
/// <remarks>
/// Call <see cref="IsBlocked"/> when a connection arrives (before any security handshake) and
/// <see cref="RecordFailure"/> or <see cref="RecordSuccess"/> after authentication. An IPv4 address
/// and its IPv4-mapped IPv6 form (::ffff:a.b.c.d) are the same address; an IPv6 scope id is
/// ignored. Memory is bounded by <see cref="AuthenticationThrottleOptions.MaxTrackedAddresses"/>.
/// All members are thread-safe, and none allocates once an address is tracked.
/// </remarks>
public sealed class AuthenticationThrottle
{
    private readonly Lock _lock = new();
    private readonly Dictionary<AddressKey, Entry> _entries = new();
    private readonly TimeProvider _timeProvider;
    private readonly long _startTimestamp;
    private readonly int _failureThreshold;
    private readonly TimeSpan _initialBlock;
    private readonly TimeSpan _maxBlock;
    private readonly TimeSpan _forgetAfter;
    private readonly int _maxTrackedAddresses;

    /// <summary>Creates a throttle.</summary>
    /// <param name="options">Settings; null for the defaults. They are copied.</param>
    /// <param name="timeProvider">The clock; null for <see cref="TimeProvider.System"/>.</param>
    public AuthenticationThrottle(AuthenticationThrottleOptions? options = null, TimeProvider? timeProvider = null)
    {
        options ??= new AuthenticationThrottleOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.FailureThreshold, 1, nameof(options.FailureThreshold));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.InitialBlock, TimeSpan.Zero, nameof(options.InitialBlock));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBlock, options.InitialBlock, nameof(options.MaxBlock));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxBlock, TimeSpan.FromDays(3650), nameof(options.MaxBlock));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.ForgetAfter, TimeSpan.Zero, nameof(options.ForgetAfter));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxTrackedAddresses, 1, nameof(options.MaxTrackedAddresses));
        _failureThreshold = options.FailureThreshold;
        _initialBlock = options.InitialBlock;
        _maxBlock = options.MaxBlock;
        _forgetAfter = options.ForgetAfter;
        _maxTrackedAddresses = options.MaxTrackedAddresses;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _startTimestamp = _timeProvider.GetTimestamp();
    }

    /// <summary>The number of addresses tracked now (for tests and diagnostics).</summary>
    internal int TrackedAddressCount
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Whether <paramref name="address"/> is blocked now.</summary>
    /// <param name="address">The peer's address.</param>
    /// <param name="remaining">How long the block still lasts; zero when not blocked.</param>
    public bool IsBlocked(IPAddress address, out TimeSpan remaining)
    {
        var key = AddressKey.From(address);
        lock (_lock)
        {
            TimeSpan now = Now();
            if (_entries.TryGetValue(key, out Entry entry) && entry.BlockedUntil > now)
            {
                remaining = entry.BlockedUntil - now;
                return true;
            }
        }

        remaining = TimeSpan.Zero;
        return false;
    }

    /// <summary>Records a failed authentication from <paramref name="address"/>.</summary>
    public void RecordFailure(IPAddress address)
    {
        var key = AddressKey.From(address);
        lock (_lock)
        {
            TimeSpan now = Now();
            if (!_entries.ContainsKey(key) && _entries.Count >= _maxTrackedAddresses)
            {
                MakeRoomUnsynchronized(now);
            }

            ref Entry entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_entries, key, out bool exists);
            if (exists && IsForgotten(entry, now))
            {
                entry = default;
            }

            entry.Failures++;
            entry.LastFailure = now;
            if (entry.Failures >= _failureThreshold)
            {
                entry.Block = entry.Block == TimeSpan.Zero
                    ? _initialBlock
                    : entry.Block >= _maxBlock / 2 ? _maxBlock : entry.Block * 2;
                entry.BlockedUntil = now + entry.Block;
            }
        }
    }

    /// <summary>Records a successful authentication: the address starts afresh.</summary>
    public void RecordSuccess(IPAddress address)
    {
        var key = AddressKey.From(address);
        lock (_lock)
        {
            _entries.Remove(key);
        }
    }

    private TimeSpan Now()
    {
        return _timeProvider.GetElapsedTime(_startTimestamp);
    }

    private bool IsForgotten(in Entry entry, TimeSpan now)
    {
        TimeSpan lastActive = entry.BlockedUntil > entry.LastFailure ? entry.BlockedUntil : entry.LastFailure;
        return now - lastActive >= _forgetAfter;
    }

    /// <summary>
    /// Drops every forgotten entry; if there was none, drops the entry whose last failure is the
    /// oldest. A linear scan, but only when the table is full and a new address fails.
    /// </summary>
    private void MakeRoomUnsynchronized(TimeSpan now)
    {
        bool removedAny = false;
        bool haveOldest = false;
        AddressKey oldestKey = default;
        TimeSpan oldestFailure = TimeSpan.MaxValue;
        foreach (KeyValuePair<AddressKey, Entry> pair in _entries)
        {
            if (IsForgotten(pair.Value, now))
            {
                // Removing while enumerating is allowed for Dictionary since .NET Core 3.0.
                _entries.Remove(pair.Key);
                removedAny = true;
            }
            else if (pair.Value.LastFailure < oldestFailure)
            {
                oldestFailure = pair.Value.LastFailure;
                oldestKey = pair.Key;
                haveOldest = true;
            }
        }

        if (!removedAny && haveOldest)
        {
            _entries.Remove(oldestKey);
        }
    }

    private struct Entry
    {
        public int Failures;
        public TimeSpan LastFailure;
        public TimeSpan Block;
        public TimeSpan BlockedUntil;
    }

    /// <summary>An address as 16 bytes, IPv4 in its IPv4-mapped IPv6 form, without allocating.</summary>
    private readonly record struct AddressKey(ulong High, ulong Low)
    {
        public static AddressKey From(IPAddress address)
        {
            ArgumentNullException.ThrowIfNull(address);
            Span<byte> bytes = stackalloc byte[16];
            if (!address.TryWriteBytes(bytes, out int written))
            {
                throw new ArgumentException("The address could not be read.", nameof(address));
            }

            if (written == 4)
            {
                // ::ffff:a.b.c.d
                return new AddressKey(0, 0x0000_FFFF_0000_0000UL | BinaryPrimitives.ReadUInt32BigEndian(bytes));
            }

            return new AddressKey(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
        }
    }
}
