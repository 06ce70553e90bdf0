using ConsoleBridge;
using Rfb.Protocol;

namespace Rfb.Sessions;

/// <summary>
/// Judges a client's SetDesktopSize and hands what it asks to the hosts, as QEMU hands a
/// viewer's window size to the guest ("ui info"): screens map to heads by id, and each head's
/// host is told its requested size and position. The host may apply it now or later by switching
/// surfaces; the desktop changes only when it does.
/// </summary>
internal static class DesktopLayoutRequest
{
    /// <summary>Largest framebuffer side a client may ask for, as TigerVNC allows.</summary>
    public const int MaxSize = 16384;

    /// <summary>
    /// Checks the layout as TigerVNC does: at least one screen and at most 255, a framebuffer of
    /// 1..16384 on each side, no empty screen, every screen inside the framebuffer, unique ids.
    /// Returns null when valid, otherwise why not.
    /// </summary>
    public static string? Validate(SetDesktopSizeRequest request)
    {
        if (request.Screens.Length == 0)
        {
            return "no screens";
        }

        if (request.Screens.Length > ClientMessageLimits.MaxScreens)
        {
            return $"{request.Screens.Length} screens; at most {ClientMessageLimits.MaxScreens}";
        }

        if (request.Width < 1 || request.Height < 1 || request.Width > MaxSize || request.Height > MaxSize)
        {
            return $"a framebuffer of {request.Width}x{request.Height}; each side must be 1..{MaxSize}";
        }

        var framebuffer = new PixelRect(0, 0, request.Width, request.Height);
        var ids = new HashSet<uint>();
        foreach (ScreenLayoutEntry screen in request.Screens)
        {
            if (screen.Bounds.IsEmpty)
            {
                return $"screen {screen.Id} is empty";
            }

            if (!framebuffer.Contains(screen.Bounds))
            {
                return $"screen {screen.Id} ({screen.Bounds}) is outside the framebuffer";
            }

            if (!ids.Add(screen.Id))
            {
                return $"screen id {screen.Id} is repeated";
            }
        }

        return null;
    }

    /// <summary>
    /// Validates <paramref name="request"/> and, when it can be taken, tells the hosts. Returns the
    /// status for the client and, when refused, why.
    /// </summary>
    public static DesktopSizeStatus Apply(Desktop desktop, SetDesktopSizeRequest request, out string? reason)
    {
        reason = Validate(request);
        if (reason is not null)
        {
            return DesktopSizeStatus.InvalidLayout;
        }

        DesktopLayout layout = desktop.Layout;
        var kept = new List<(DesktopHead Head, DesktopHeadRequest Request)>();
        var added = new List<DesktopHeadRequest>();
        foreach (ScreenLayoutEntry screen in request.Screens)
        {
            DesktopPlacement? placement = screen.Id <= int.MaxValue ? layout.Find((int)screen.Id) : null;
            if (placement is { } p)
            {
                kept.Add((p.Head, new DesktopHeadRequest(p.ScreenId, screen.Bounds)));
            }
            else
            {
                // Ids above int.MaxValue cannot name a head; a hotplugging host sees them as 0.
                added.Add(new DesktopHeadRequest(screen.Id <= int.MaxValue ? (int)screen.Id : 0, screen.Bounds));
            }
        }

        var removed = new List<DesktopHead>();
        foreach (DesktopPlacement p in layout.Heads)
        {
            if (!kept.Exists(k => k.Head == p.Head))
            {
                removed.Add(p.Head);
            }
        }

        foreach ((DesktopHead head, _) in kept)
        {
            if (!head.Console.Host.SupportsUiInfo)
            {
                reason = $"the host of screen {head.ScreenId} does not follow size requests";
                return DesktopSizeStatus.Prohibited;
            }
        }

        if (added.Count > 0 || removed.Count > 0)
        {
            DesktopHotplugHandler? hotplug = desktop.HotplugHandler;
            if (hotplug is null)
            {
                reason = added.Count > 0
                    ? $"screen {added[0].ScreenId} has no head and the host does not plug heads in"
                    : $"screen {removed[0].ScreenId} was left out and the host does not unplug heads";
                return added.Count > 0 ? DesktopSizeStatus.OutOfResources : DesktopSizeStatus.Prohibited;
            }

            if (!hotplug(added, removed))
            {
                reason = "the host refused to plug or unplug heads";
                return DesktopSizeStatus.OutOfResources;
            }
        }

        foreach ((DesktopHead head, DesktopHeadRequest headRequest) in kept)
        {
            head.Console.Host.OnUiInfo(headRequest);
        }

        return DesktopSizeStatus.Success;
    }
}
