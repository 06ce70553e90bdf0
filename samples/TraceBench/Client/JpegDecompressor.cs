using System.Runtime.InteropServices;

namespace TraceBench.Client;

/// <summary>
/// JPEG pictures of Tight rectangles, decoded by libjpeg-turbo's TurboJPEG API (Debian
/// libturbojpeg0) into XRGB8888 little-endian (TJPF_BGRX).
/// </summary>
internal sealed partial class JpegDecompressor : IDisposable
{
    private const string LibraryName = "libturbojpeg.so.0";
    private const int PixelFormatBgrx = 3;
    private nint _handle;

    /// <exception cref="DllNotFoundException">libturbojpeg is not installed.</exception>
    public JpegDecompressor()
    {
        _handle = InitDecompress();
        if (_handle == 0)
        {
            throw new InvalidOperationException("tjInitDecompress failed.");
        }
    }

    /// <summary>Decodes <paramref name="jpeg"/>, which must be <paramref name="width"/>×<paramref name="height"/>, into <paramref name="destination"/> (4 bytes a pixel, rows of <c>width * 4</c>).</summary>
    /// <exception cref="InvalidDataException">The picture is not a JPEG of that size.</exception>
    public unsafe void Decode(ReadOnlySpan<byte> jpeg, int width, int height, Span<byte> destination)
    {
        fixed (byte* source = jpeg)
        fixed (byte* target = destination)
        {
            int w, h, subsampling, colourspace;
            if (DecompressHeader3(_handle, source, new CULong((nuint)jpeg.Length), &w, &h, &subsampling, &colourspace) != 0)
            {
                throw new InvalidDataException($"A Tight JPEG picture is not readable: {ErrorText()}");
            }

            if (w != width || h != height)
            {
                throw new InvalidDataException($"A Tight JPEG picture is {w}x{h} in a {width}x{height} rectangle.");
            }

            if (Decompress2(_handle, source, new CULong((nuint)jpeg.Length), target, width, width * 4, height, PixelFormatBgrx, 0) != 0)
            {
                throw new InvalidDataException($"A Tight JPEG picture did not decode: {ErrorText()}");
            }
        }
    }

    public void Dispose()
    {
        if (_handle != 0)
        {
            _ = Destroy(_handle);
            _handle = 0;
        }
    }

    private string ErrorText() => Marshal.PtrToStringUTF8(GetErrorStr2(_handle)) ?? "unknown TurboJPEG error";

    [LibraryImport(LibraryName, EntryPoint = "tjInitDecompress")]
    private static partial nint InitDecompress();

    [LibraryImport(LibraryName, EntryPoint = "tjDestroy")]
    private static partial int Destroy(nint handle);

    // unsigned long: 64 bits on LP64 Linux, hence CULong.
    [LibraryImport(LibraryName, EntryPoint = "tjDecompressHeader3")]
    private static unsafe partial int DecompressHeader3(nint handle, byte* jpegBuffer, CULong jpegSize, int* width, int* height, int* subsampling, int* colourspace);

    [LibraryImport(LibraryName, EntryPoint = "tjDecompress2")]
    private static unsafe partial int Decompress2(nint handle, byte* jpegBuffer, CULong jpegSize, byte* destination, int width, int pitch, int height, int pixelFormat, int flags);

    [LibraryImport(LibraryName, EntryPoint = "tjGetErrorStr2")]
    private static partial nint GetErrorStr2(nint handle);
}
