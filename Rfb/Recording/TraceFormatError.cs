namespace Rfb.Recording;

/// <summary>Why a recorded trace (an FBS file or the RFB stream inside it) was refused.</summary>
public enum TraceFormatError
{
    /// <summary>The file does not start with <c>FBS 001.000\n</c>.</summary>
    BadHeader,

    /// <summary>The file ends inside a block (its length, bytes, padding or timestamp).</summary>
    TruncatedBlock,

    /// <summary>A block is longer than <see cref="FbsReader.MaxBlockLength"/>.</summary>
    BlockTooLong,

    /// <summary>The RFB stream does not start with <c>RFB 003.003\n</c>.</summary>
    UnsupportedVersion,

    /// <summary>The server chose a security type other than None, or reported a failure.</summary>
    UnsupportedSecurity,

    /// <summary>ServerInit announced a size of zero or a pixel format other than 32 bpp XRGB8888 little-endian true colour.</summary>
    UnsupportedPixelFormat,

    /// <summary>A framebuffer size of zero (in ServerInit or DesktopSize).</summary>
    InvalidFramebufferSize,

    /// <summary>A rectangle (or a CopyRect source) reaches outside the framebuffer.</summary>
    RectangleOutsideFramebuffer,

    /// <summary>A rectangle uses an encoding this decoder does not know.</summary>
    UnknownEncoding,

    /// <summary>A server message type this decoder does not know.</summary>
    UnknownMessage,

    /// <summary>One message is larger than the decoder's limit.</summary>
    MessageTooLong,

    /// <summary>The stream ends inside a message.</summary>
    TruncatedStream,
}
