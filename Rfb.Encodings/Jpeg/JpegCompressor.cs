using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Rfb.Encodings.Jpeg;

/// <summary>
/// One TurboJPEG compressor handle and its output buffer. Compresses canonical pixels in place
/// (the view's rows with a pitch of stride × 4 bytes), never copying them. Not thread-safe: an
/// encoder owns one; encoders running in parallel own one each.
/// </summary>
internal sealed class JpegCompressor : IDisposable
{
    private nint _handle;
    private byte[] _buffer = [];

    /// <summary>Creates a compressor; call only when <see cref="TurboJpeg.IsAvailable"/>.</summary>
    /// <exception cref="InvalidOperationException">TurboJPEG refused to create a compressor.</exception>
    public JpegCompressor()
    {
        _handle = TurboJpegNative.InitCompress();
        if (_handle == 0)
        {
            throw new InvalidOperationException("tjInitCompress failed.");
        }
    }

    /// <summary>
    /// Compresses <paramref name="view"/> and returns the JPEG bytes, which stay valid until the
    /// next call.
    /// </summary>
    /// <exception cref="InvalidOperationException">TurboJPEG reported an error.</exception>
    public unsafe ReadOnlySpan<byte> Compress(PixelView view, int quality, JpegSubsampling subsampling)
    {
        ObjectDisposedException.ThrowIf(_handle == 0, this);
        if (view.IsEmpty)
        {
            throw new ArgumentException("An empty rectangle cannot be compressed.", nameof(view));
        }

        int samp = (int)subsampling;
        ulong bound = TurboJpegNative.BufSize(view.Width, view.Height, samp).Value;
        if (bound > int.MaxValue)
        {
            throw new InvalidOperationException($"A {view.Width}x{view.Height} JPEG may need {bound} bytes.");
        }

        if ((ulong)_buffer.Length < bound)
        {
            // Pinned once, reused for every rectangle; grows only for a larger rectangle.
            _buffer = GC.AllocateUninitializedArray<byte>((int)bound, pinned: true);
        }

        int format = BitConverter.IsLittleEndian ? TurboJpegNative.PixelFormatBgrx : TurboJpegNative.PixelFormatXrgb;
        fixed (uint* pixels = &MemoryMarshal.GetReference(view.Row(0)))
        {
            byte* destination = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_buffer));
            CULong size = new((nuint)_buffer.Length);
            int result = TurboJpegNative.Compress2(
                _handle,
                (byte*)pixels,
                view.Width,
                view.Stride * 4,
                view.Height,
                format,
                &destination,
                &size,
                samp,
                quality,
                TurboJpegNative.FlagNoRealloc | TurboJpegNative.FlagFastDct);
            if (result != 0)
            {
                throw new InvalidOperationException($"tjCompress2 failed: {TurboJpegNative.ErrorText(_handle)}");
            }

            return _buffer.AsSpan(0, checked((int)size.Value));
        }
    }

    public void Dispose()
    {
        if (_handle != 0)
        {
            TurboJpegNative.Destroy(_handle);
            _handle = 0;
        }
    }
}
