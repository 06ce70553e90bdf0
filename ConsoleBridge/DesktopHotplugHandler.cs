namespace ConsoleBridge;

/// <summary>
/// Asked when a client's layout lists screens that no head has (<paramref name="added"/>) or leaves
/// out heads that exist (<paramref name="removed"/>). Return true when the host will plug and unplug
/// heads to match (now or later, with <see cref="Desktop.AddHead"/> and
/// <see cref="Desktop.RemoveHead"/>); false refuses the whole layout and nothing changes.
/// </summary>
public delegate bool DesktopHotplugHandler(IReadOnlyList<DesktopHeadRequest> added, IReadOnlyList<DesktopHead> removed);
