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

    /// <summary>The pixel encoding to use: the client's first choice among those this server has.</summary>
    public int PreferredEncoding { get; init; }

    /// <summary>Compress level, quality, fine quality and subsampling from the pseudo-encodings.</summary>
    public EncodeSettings Settings { get; init; }

    public static ClientCapabilities From(int[] encodings)
    {
        bool copyRect = false, desktopSize = false, lastRect = false, desktopName = false, qemuKey = false;
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
            PreferredEncoding = EncoderCatalog.Choose(encodings),
            Settings = new EncodeSettings
            {
                CompressLevel = compress < 0 ? 2 : compress,
                QualityLevel = quality,
                FineQuality = fine,
                Subsampling = subsampling,
            },
        };
    }
}
