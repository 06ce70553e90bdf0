namespace Rfb.Recording;

/// <summary>What a <see cref="TraceOperation"/> does to the framebuffer.</summary>
public enum TraceOperationKind
{
    /// <summary>Writes pixels (RFB Raw, encoding 0).</summary>
    Raw,

    /// <summary>Moves a rectangle of pixels (RFB CopyRect, encoding 1).</summary>
    Copy,

    /// <summary>Replaces the framebuffer with a black one of a new size (RFB DesktopSize, encoding -223).</summary>
    DesktopSize,
}
