namespace Rfb.Protocol;

/// <summary>The result of a SetDesktopSize, sent as the y of an ExtendedDesktopSize rectangle with reason 1.</summary>
internal enum DesktopSizeStatus
{
    /// <summary>The layout was taken.</summary>
    Success = 0,

    /// <summary>Resizing is not allowed (a head's host does not follow size requests).</summary>
    Prohibited = 1,

    /// <summary>No head for a new screen (no hotplug), or the host refused or failed.</summary>
    OutOfResources = 2,

    /// <summary>The layout broke a rule: no screens, an empty or outside screen, a repeated id, a size over 16384.</summary>
    InvalidLayout = 3,
}

/// <summary>The reason of an ExtendedDesktopSize rectangle, sent as its x.</summary>
internal static class DesktopSizeReason
{
    /// <summary>The server changed the layout.</summary>
    public const int Server = 0;

    /// <summary>The answer to this client's own SetDesktopSize.</summary>
    public const int ThisClient = 1;

    /// <summary>Another client's SetDesktopSize changed the layout.</summary>
    public const int OtherClient = 2;
}
