using ConsoleBridge;
using Rfb.Encodings;

namespace Rfb.Protocol;

/// <summary>What a client message asked for. Only the fields of <see cref="Kind"/> are set.</summary>
internal readonly struct ClientMessage
{
    public ClientMessageKind Kind { get; init; }

    public PixelFormat PixelFormat { get; init; }

    public int[]? Encodings { get; init; }

    public bool Incremental { get; init; }

    public PixelRect Rect { get; init; }

    public bool Down { get; init; }

    public uint Keysym { get; init; }

    /// <summary>XT scancode, 0xE0-prefixed keys as 0xE0nn (QEMU's extended key event only).</summary>
    public uint Scancode { get; init; }

    public int ButtonMask { get; init; }

    public string? Text { get; init; }

    public SetDesktopSizeRequest? DesktopSize { get; init; }
}

internal enum ClientMessageKind
{
    SetPixelFormat,
    SetEncodings,
    FramebufferUpdateRequest,
    KeyEvent,
    PointerEvent,
    ClientCutText,
    QemuExtendedKeyEvent,
    SetDesktopSize,
}
