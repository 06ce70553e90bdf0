namespace Rfb.Security;

/// <summary>
/// Settings of <see cref="AuthenticationThrottle"/>. The defaults follow TigerVNC's blacklist
/// (BlacklistThreshold 5, BlacklistTimeout 10 s), with the block capped at one hour.
/// </summary>
public sealed class AuthenticationThrottleOptions
{
    /// <summary>Consecutive failures from one address before it is blocked. Default 5.</summary>
    public int FailureThreshold { get; set; } = 5;

    /// <summary>How long the first block lasts. Default 10 seconds.</summary>
    public TimeSpan InitialBlock { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The longest block; each failure after a block doubles the block up to this. Default 1 hour.
    /// </summary>
    public TimeSpan MaxBlock { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long an address's failures are remembered once it is no longer blocked and has not
    /// failed again; after that it starts afresh and its entry may be dropped. Default 1 hour.
    /// </summary>
    public TimeSpan ForgetAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The most addresses tracked at once, which bounds memory. When full, forgotten entries
    /// are dropped first, then the one that failed longest ago. Default 4096.
    /// </summary>
    public int MaxTrackedAddresses { get; set; } = 4096;
}
