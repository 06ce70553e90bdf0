using Rfb.Encodings;

namespace Rfb.Sessions;

/// <summary>What a client's SetEncodings announced, reduced to what the session needs to know.</summary>
internal readonly record struct ClientCapabilities
{
    public bool CopyRect { get; init; }

    public bool DesktopSize { get; init; }

    public bool LastRect { get; init; }

    public bool DesktopName { get; init; }

    public bool QemuExtendedKeyEvent { get; init; }

    /// <summary>The client's encodings in its order of preference.</summary>
    public int[] Encodings { get; init; }

    public static ClientCapabilities From(int[] encodings)
    {
        bool copyRect = false, desktopSize = false, lastRect = false, desktopName = false, qemuKey = false;
        foreach (int e in encodings)
        {
            switch (e)
            {
                case EncodingType.CopyRect: copyRect = true; break;
                case EncodingType.DesktopSize: desktopSize = true; break;
                case EncodingType.LastRect: lastRect = true; break;
                case EncodingType.DesktopName: desktopName = true; break;
                case EncodingType.QemuExtendedKeyEvent: qemuKey = true; break;
            }
        }

        return new ClientCapabilities
        {
            CopyRect = copyRect,
            DesktopSize = desktopSize,
            LastRect = lastRect,
            DesktopName = desktopName,
            QemuExtendedKeyEvent = qemuKey,
            Encodings = encodings,
        };
    }
}
