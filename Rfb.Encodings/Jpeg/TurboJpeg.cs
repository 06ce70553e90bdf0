using System.Runtime.InteropServices;

namespace Rfb.Encodings.Jpeg;

/// <summary>
/// Whether JPEG compression through the system's libjpeg-turbo (TurboJPEG API,
/// <c>libturbojpeg.so.0</c>) can be used in this process. Without it the Tight encoders never
/// send JPEG rectangles and fall back to lossless subencodings; the server logs
/// <see cref="UnavailableReason"/> once.
/// </summary>
public static class TurboJpeg
{
    private static readonly Lazy<string?> s_unavailableReason = new(Probe, LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly string[] s_requiredExports =
    [
        "tjInitCompress", "tjCompress2", "tjBufSize", "tjDestroy", "tjGetErrorStr2",
    ];

    /// <summary>True when the library loaded and a compressor could be created.</summary>
    public static bool IsAvailable => s_unavailableReason.Value is null;

    /// <summary>Why JPEG cannot be used (for the log), or null when <see cref="IsAvailable"/>.</summary>
    public static string? UnavailableReason => s_unavailableReason.Value;

    private static string? Probe()
    {
        if (!NativeLibrary.TryLoad(TurboJpegNative.LibraryName, typeof(TurboJpeg).Assembly, null, out nint library))
        {
            return $"{TurboJpegNative.LibraryName} could not be loaded (on Debian install the package libturbojpeg0); JPEG is off";
        }

        foreach (string export in s_requiredExports)
        {
            if (!NativeLibrary.TryGetExport(library, export, out _))
            {
                return $"{TurboJpegNative.LibraryName} has no {export} (TurboJPEG 2.0 or later is needed); JPEG is off";
            }
        }

        try
        {
            nint handle = TurboJpegNative.InitCompress();
            if (handle == 0)
            {
                return "tjInitCompress failed; JPEG is off";
            }

            TurboJpegNative.Destroy(handle);
            return null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return $"{TurboJpegNative.LibraryName}: {e.Message}; JPEG is off";
        }
    }
}
