using System.Numerics;
using System.Runtime.InteropServices;

namespace ConsoleBridge.Surfaces;

/// <summary>Converts one row of a guest surface into the canonical XRGB8888 form (top byte zero).</summary>
internal static class PixelRowConverter
{
    public static void ToCanonical(ReadOnlySpan<byte> source, DrmFourcc format, Span<uint> destination)
    {
        switch (format)
        {
            case DrmFourcc.Xrgb8888:
            case DrmFourcc.Argb8888:
                MaskAlpha(MemoryMarshal.Cast<byte, uint>(source), destination);
                break;
            case DrmFourcc.Xbgr8888:
            case DrmFourcc.Abgr8888:
                SwapRedBlue(MemoryMarshal.Cast<byte, uint>(source), destination);
                break;
            case DrmFourcc.Rgb565:
                ExpandRgb565(MemoryMarshal.Cast<byte, ushort>(source), destination);
                break;
            default:
                throw new NotSupportedException($"Pixel format 0x{(uint)format:x8} is not supported.");
        }
    }

    private static void MaskAlpha(ReadOnlySpan<uint> src, Span<uint> dst)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && src.Length >= Vector<uint>.Count)
        {
            var mask = new Vector<uint>(0x00FF_FFFFu);
            ReadOnlySpan<Vector<uint>> vs = MemoryMarshal.Cast<uint, Vector<uint>>(src);
            Span<Vector<uint>> vd = MemoryMarshal.Cast<uint, Vector<uint>>(dst);
            for (int v = 0; v < vs.Length; v++)
            {
                vd[v] = vs[v] & mask;
            }

            i = vs.Length * Vector<uint>.Count;
        }

        for (; i < src.Length; i++)
        {
            dst[i] = src[i] & 0x00FF_FFFFu;
        }
    }

    private static void SwapRedBlue(ReadOnlySpan<uint> src, Span<uint> dst)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && src.Length >= Vector<uint>.Count)
        {
            var green = new Vector<uint>(0x0000_FF00u);
            var low = new Vector<uint>(0x0000_00FFu);
            ReadOnlySpan<Vector<uint>> vs = MemoryMarshal.Cast<uint, Vector<uint>>(src);
            Span<Vector<uint>> vd = MemoryMarshal.Cast<uint, Vector<uint>>(dst);
            for (int v = 0; v < vs.Length; v++)
            {
                Vector<uint> p = vs[v];
                vd[v] = ((p & low) << 16) | (p & green) | ((p >> 16) & low);
            }

            i = vs.Length * Vector<uint>.Count;
        }

        for (; i < src.Length; i++)
        {
            uint p = src[i];
            dst[i] = ((p & 0xFF) << 16) | (p & 0xFF00) | ((p >> 16) & 0xFF);
        }
    }

    private static void ExpandRgb565(ReadOnlySpan<ushort> src, Span<uint> dst)
    {
        for (int i = 0; i < src.Length; i++)
        {
            uint p = src[i];
            uint r = (p >> 11) & 0x1F, g = (p >> 5) & 0x3F, b = p & 0x1F;
            dst[i] = (((r << 3) | (r >> 2)) << 16) | (((g << 2) | (g >> 4)) << 8) | ((b << 3) | (b >> 2));
        }
    }
}
