using System.Runtime.InteropServices;
using ConsoleBridge;
using ConsoleBridge.Gl;

namespace GlScanout;

/// <summary>
/// A second dma-buf producer for machines whose EGL cannot export a texture (NVIDIA's driver
/// without a DRM device): device memory allocated with CUDA, filled with a known picture and
/// exported as a dma-buf (<c>cuMemGetHandleForAddressRange</c>), which the bridge then imports
/// as a linear XRGB8888 buffer. Runs only where NVIDIA's <c>libcuda.so.1</c> is present.
/// </summary>
internal static unsafe class CudaDmaBuf
{
    private const int DmaBufSupported = 124;     // CU_DEVICE_ATTRIBUTE_DMA_BUF_SUPPORTED
    private const int HandleTypeDmaBufFd = 1;     // CU_MEM_RANGE_HANDLE_TYPE_DMA_BUF_FD
    private const int Pitch = 256;               // row pitch alignment asked of linear buffers
    private const long Granularity = 2 << 20;    // the exported range: whole 2 MiB pages

    /// <summary>Prints "dma-buf from CUDA memory: ..." lines; returns the number of failed checks (0 when it cannot run).</summary>
    public static int Check(GlBridge bridge)
    {
        if (!NativeLibrary.TryLoad("libcuda.so.1", out nint lib))
        {
            Console.WriteLine("dma-buf from CUDA memory: NOT RUN (no libcuda.so.1)");
            return 0;
        }

        var init = (delegate* unmanaged<uint, int>)NativeLibrary.GetExport(lib, "cuInit");
        var deviceGet = (delegate* unmanaged<int*, int, int>)NativeLibrary.GetExport(lib, "cuDeviceGet");
        var attribute = (delegate* unmanaged<int*, int, int, int>)NativeLibrary.GetExport(lib, "cuDeviceGetAttribute");
        var retain = (delegate* unmanaged<nint*, int, int>)NativeLibrary.GetExport(lib, "cuDevicePrimaryCtxRetain");
        var setCurrent = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(lib, "cuCtxSetCurrent");
        var alloc = (delegate* unmanaged<ulong*, nuint, int>)NativeLibrary.GetExport(lib, "cuMemAlloc_v2");
        var free = (delegate* unmanaged<ulong, int>)NativeLibrary.GetExport(lib, "cuMemFree_v2");
        var upload = (delegate* unmanaged<ulong, void*, nuint, int>)NativeLibrary.GetExport(lib, "cuMemcpyHtoD_v2");
        var export = (delegate* unmanaged<void*, ulong, nuint, int, ulong, int>)NativeLibrary.GetExport(lib, "cuMemGetHandleForAddressRange");

        int device = 0, supported = 0;
        nint context = 0;
        int r = init(0);
        r = r != 0 ? r : deviceGet(&device, 0);
        r = r != 0 ? r : attribute(&supported, DmaBufSupported, device);
        r = r != 0 ? r : retain(&context, device);
        r = r != 0 ? r : setCurrent(context);
        if (r != 0 || supported == 0)
        {
            Console.WriteLine($"dma-buf from CUDA memory: NOT RUN ({(r != 0 ? $"CUDA error {r}" : "the device cannot export dma-bufs")})");
            return 0;
        }

        const int width = 641, height = 479;
        int stride = (width * 4 + Pitch - 1) / Pitch * Pitch;
        long size = ((long)stride * height + Granularity - 1) / Granularity * Granularity;
        ulong allocated = 0;
        r = alloc(&allocated, (nuint)size);
        ulong memory = allocated;
        if (r != 0)
        {
            Console.WriteLine($"dma-buf from CUDA memory: FAIL (cuMemAlloc: CUDA error {r})");
            return 1;
        }

        int fd = -1;
        try
        {
            var random = new Random(7);
            uint[] picture = new uint[width * height];
            for (int i = 0; i < picture.Length; i++)
            {
                picture[i] = (uint)random.Next(0x1000000);
            }

            byte[] rows = new byte[size];
            void Upload()
            {
                for (int y = 0; y < height; y++)
                {
                    MemoryMarshal.AsBytes(picture.AsSpan(y * width, width)).CopyTo(rows.AsSpan(y * stride));
                }

                fixed (byte* p = rows)
                {
                    int e = upload(memory, p, (nuint)rows.Length);
                    if (e != 0)
                    {
                        throw new InvalidOperationException($"cuMemcpyHtoD: CUDA error {e}");
                    }
                }
            }

            Upload();
            if ((r = export(&fd, memory, (nuint)size, HandleTypeDmaBufFd, 0)) != 0)
            {
                Console.WriteLine($"dma-buf from CUDA memory: FAIL (cuMemGetHandleForAddressRange: CUDA error {r})");
                return 1;
            }

            using var console = new DisplayConsole(options: new DisplayConsoleOptions { AutoRefresh = false });
            console.Gl = bridge;
            GlException? failure = null;
            console.ScanoutFailed += (_, e) => failure = e.Error;
            // LINEAR first; the implicit layout only when LINEAR is refused. One that works is a pass.
            int failures = 0;
            foreach (ulong? modifier in new ulong?[] { 0UL, null })
            {
                failure = null;
                string what = $"dma-buf from CUDA memory (fd {fd}, stride {stride}, modifier {(modifier is null ? "implicit" : "LINEAR")})";
                try
                {
                    console.ScanoutDmaBuf(new DmaBufScanout
                    {
                        Planes = [new DmaBufPlane(fd, 0, stride)],
                        Fourcc = (uint)DrmFourcc.Xrgb8888,
                        Modifier = modifier,
                        BackingWidth = width,
                        BackingHeight = height,
                    });
                }
                catch (Exception ex) when (ex is GlException or ArgumentException)
                {
                    Console.WriteLine($"{what}: FAIL at the call ({ex.Message})");
                    failures++;
                    continue;
                }

                int bad = SelfTest.Wait(console, picture, width, height, () => failure);
                SelfTest.Report($"{what}: whole frame", bad, width * height, failure);
                if (bad != 0)
                {
                    failures++;
                    continue;
                }

                // A partial update: the rectangle changes in device memory and only it is reported.
                for (int y = 40; y < 140; y++)
                {
                    picture.AsSpan(y * width + 60, 300).Fill(0x00FACADE);
                }

                Upload();
                console.GlUpdate(60, 40, 300, 100);
                int partial = SelfTest.Wait(console, picture, width, height, () => failure);
                SelfTest.Report($"{what}: partial update", partial, width * height, failure);
                return partial == 0 ? 0 : 1;
            }

            return failures == 0 ? 0 : 1;
        }
        finally
        {
            if (fd >= 0)
            {
                Libc.Close(fd);
            }

            free(memory);
        }
    }
}
