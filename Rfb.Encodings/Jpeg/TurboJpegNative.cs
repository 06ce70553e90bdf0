using System.Runtime.InteropServices;

namespace Rfb.Encodings.Jpeg;

/// <summary>
/// The part of the TurboJPEG 2.x C API (libjpeg-turbo's <c>turbojpeg.h</c>) that the encoders
/// use. Enum values and flags are those of the header.
/// </summary>
internal static partial class TurboJpegNative
{
    /// <summary>The soname of libjpeg-turbo's TurboJPEG library (Debian package libturbojpeg0).</summary>
    public const string LibraryName = "libturbojpeg.so.0";

    /// <summary>TJPF_BGRX: 4-byte pixels B, G, R, X from the lowest address (canonical XRGB8888 words on a little-endian host).</summary>
    public const int PixelFormatBgrx = 3;

    /// <summary>TJPF_XRGB: 4-byte pixels X, R, G, B from the lowest address (canonical words on a big-endian host).</summary>
    public const int PixelFormatXrgb = 5;

    /// <summary>TJPF_RGBX: 4-byte pixels R, G, B, X from the lowest address.</summary>
    public const int PixelFormatRgbx = 2;

    /// <summary>TJFLAG_NOREALLOC: compress into the caller's buffer; never reallocate it.</summary>
    public const int FlagNoRealloc = 1024;

    /// <summary>TJFLAG_FASTDCT: the fastest (integer) DCT.</summary>
    public const int FlagFastDct = 2048;

    [LibraryImport(LibraryName, EntryPoint = "tjInitCompress")]
    public static partial nint InitCompress();

    [LibraryImport(LibraryName, EntryPoint = "tjInitDecompress")]
    public static partial nint InitDecompress();

    [LibraryImport(LibraryName, EntryPoint = "tjDestroy")]
    public static partial int Destroy(nint handle);

    // unsigned long is 64 bits on LP64 Linux and 32 bits on Windows: CULong covers both.
    [LibraryImport(LibraryName, EntryPoint = "tjBufSize")]
    public static partial CULong BufSize(int width, int height, int subsampling);

    [LibraryImport(LibraryName, EntryPoint = "tjCompress2")]
    public static unsafe partial int Compress2(
        nint handle,
        byte* source,
        int width,
        int pitch,
        int height,
        int pixelFormat,
        byte** jpegBuffer,
        CULong* jpegSize,
        int subsampling,
        int quality,
        int flags);

    [LibraryImport(LibraryName, EntryPoint = "tjDecompressHeader3")]
    public static unsafe partial int DecompressHeader3(
        nint handle,
        byte* jpegBuffer,
        CULong jpegSize,
        int* width,
        int* height,
        int* subsampling,
        int* colourspace);

    [LibraryImport(LibraryName, EntryPoint = "tjDecompress2")]
    public static unsafe partial int Decompress2(
        nint handle,
        byte* jpegBuffer,
        CULong jpegSize,
        byte* destination,
        int width,
        int pitch,
        int height,
        int pixelFormat,
        int flags);

    [LibraryImport(LibraryName, EntryPoint = "tjGetErrorStr2")]
    public static partial nint GetErrorStr2(nint handle);

    /// <summary>The library's message for the last error on <paramref name="handle"/>.</summary>
    public static string ErrorText(nint handle) => Marshal.PtrToStringUTF8(GetErrorStr2(handle)) ?? "unknown TurboJPEG error";
}
