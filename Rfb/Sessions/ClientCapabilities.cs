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

    public bool ExtendedDesktopSize { get; init; }

    /// <summary>The rich cursor pseudo-encoding (-239): the client draws the cursor from pixels and a mask.</summary>
    public bool Cursor { get; init; }

    /// <summary>VMware's cursor pseudo-encoding: the client draws an alpha cursor.</summary>
    public bool VMwareCursor { get; init; }

    /// <summary>Whether the client draws the cursor itself (either cursor pseudo-encoding).</summary>
    public bool ClientCursor => Cursor || VMwareCursor;

    /// <summary>The client's encodings in its order of preference.</summary>
    public int[] Encodings { get; init; }

    /// <summary>The pixel encoding to use: the client's first choice among those this server has.</summary>
    public int PreferredEncoding { get; init; }

    /// <summary>Compress level, quality, fine quality and subsampling from the pseudo-encodings.</summary>
    public EncodeSettings Settings { get; init; }

    public static ClientCapabilities From(int[] encodings)
    {
        bool copyRect = false, desktopSize = false, lastRect = false, desktopName = false, qemuKey = false;
        bool extendedDesktopSize = false, cursor = false, vmwareCursor = false;
        int compress = -1, quality = -1, fine = -1, subsampling = -1;
        foreach (int e in encodings)
        {
            // The first value of each pseudo-encoding range wins, as in TigerVNC.
            if (e is >= EncodingType.CompressLevel0 and <= EncodingType.CompressLevel9)
            {
                compress = compress < 0 ? e - EncodingType.CompressLevel0 : compress;
                continue;
            }

            if (e is >= EncodingType.JpegQualityLevel0 and <= EncodingType.JpegQualityLevel9)
            {
                quality = quality < 0 ? e - EncodingType.JpegQualityLevel0 : quality;
                continue;
            }

            if (e is >= EncodingType.FineQualityLevel0 and <= EncodingType.FineQualityLevel100)
            {
                fine = fine < 0 ? e - EncodingType.FineQualityLevel0 : fine;
                continue;
            }

            if (e is >= EncodingType.SubsampLevel1X and <= EncodingType.SubsampLevel16X)
            {
                subsampling = subsampling < 0 ? e - EncodingType.SubsampLevel1X : subsampling;
                continue;
            }

            switch (e)
            {
                case EncodingType.CopyRect: copyRect = true; break;
                case EncodingType.DesktopSize: desktopSize = true; break;
                case EncodingType.LastRect: lastRect = true; break;
                case EncodingType.DesktopName: desktopName = true; break;
                case EncodingType.QemuExtendedKeyEvent: qemuKey = true; break;
                case EncodingType.ExtendedDesktopSize: extendedDesktopSize = true; break;
                case EncodingType.Cursor: cursor = true; break;
                case EncodingType.VMwareCursor: vmwareCursor = true; break;
            }
        }

        return new ClientCapabilities
        {
            CopyRect = copyRect,
            DesktopSize = desktopSize,
            LastRect = lastRect,
            DesktopName = desktopName,
            QemuExtendedKeyEvent = qemuKey,
            ExtendedDesktopSize = extendedDesktopSize,
            Cursor = cursor,
            VMwareCursor = vmwareCursor,
            Encodings = encodings,
            PreferredEncoding = EncoderCatalog.Choose(encodings),
            Settings = new EncodeSettings
            {
                CompressLevel = compress, // -1: none named
                QualityLevel = quality,
                FineQuality = fine,
                Subsampling = subsampling,
            },
        };
    }
}
