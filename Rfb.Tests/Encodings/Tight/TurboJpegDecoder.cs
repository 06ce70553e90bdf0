using System.Runtime.InteropServices;

namespace Rfb.Tests.Encodings.Tight;

/// <summary>
/// The reference JPEG decoder for the tests: libjpeg-turbo's own decompressor (tjDecompress2),
/// declared here independently of the encoder's bindings.
/// </summary>
internal static partial class TurboJpegDecoder
{
    private const string Library = "libturbojpeg.so.0";
    private const int PixelFormatBgrx = 3;

    /// <summary>Decodes a JPEG into canonical 0x00RRGGBB pixels.</summary>
    public static unsafe uint[] Decode(ReadOnlySpan<byte> jpeg, out int width, out int height)
    {
        nint handle = InitDecompress();
        Assert.NotEqual(0, handle);
        try
        {
            fixed (byte* source = jpeg)
            {
                int w, h, subsampling, colourspace;
                Assert.Equal(0, DecompressHeader3(handle, source, new CULong((nuint)jpeg.Length), &w, &h, &subsampling, &colourspace));
                var pixels = new uint[w * h];
                fixed (uint* destination = pixels)
                {
                    Assert.Equal(0, Decompress2(handle, source, new CULong((nuint)jpeg.Length), (byte*)destination, w, w * 4, h, PixelFormatBgrx, 0));
                }

                width = w;
                height = h;
                for (int i = 0; i < pixels.Length; i++)
                {
                    pixels[i] &= 0x00FF_FFFF;
                }

                return pixels;
            }
        }
        finally
        {
            Destroy(handle);
        }
    }

    [LibraryImport(Library, EntryPoint = "tjInitDecompress")]
    private static partial nint InitDecompress();

    [LibraryImport(Library, EntryPoint = "tjDestroy")]
    private static partial int Destroy(nint handle);

    [LibraryImport(Library, EntryPoint = "tjDecompressHeader3")]
    private static unsafe partial int DecompressHeader3(nint handle, byte* jpeg, CULong size, int* width, int* height, int* subsampling, int* colourspace);

    [LibraryImport(Library, EntryPoint = "tjDecompress2")]
    private static unsafe partial int Decompress2(nint handle, byte* jpeg, CULong size, byte* destination, int width, int pitch, int height, int pixelFormat, int flags);
}
