using System.Runtime.InteropServices;

namespace ConsoleBridge.Gl;

/// <summary>
/// An initialised EGL display and what it can do. EGL hands out one display per platform and
/// native display, so the emulator that asks for the same platform gets the same handle; EGL
/// images are only valid between contexts of one display. The display is never terminated:
/// other contexts of the process (the emulator's) live on it too.
/// </summary>
internal sealed unsafe class EglDisplay
{
    private EglDisplay(nint handle, EglPlatform platform, string deviceName)
    {
        Handle = handle;
        Platform = platform;
        DeviceName = deviceName;
        ExtensionString = Egl.QueryString(handle, Egl.Extensions);
        Vendor = Egl.QueryString(handle, Egl.Vendor);
    }

    public nint Handle { get; }

    public EglPlatform Platform { get; }

    /// <summary>The DRM device file of the EGL device, or a description of the platform.</summary>
    public string DeviceName { get; }

    public string Vendor { get; }

    public string ExtensionString { get; }

    public bool CanImportDmaBuf => Has("EGL_EXT_image_dma_buf_import");

    public bool CanImportModifiers => Has("EGL_EXT_image_dma_buf_import_modifiers");

    public bool CanShareTextures => Has("EGL_KHR_gl_texture_2D_image") && Has("EGL_KHR_image_base");

    public bool CanExportDmaBuf => Has("EGL_MESA_image_dma_buf_export");

    public bool CanWaitSync => Has("EGL_KHR_wait_sync") && Has("EGL_KHR_fence_sync");

    public bool Has(string extension) => Egl.HasExtension(ExtensionString, extension);

    /// <summary>Opens (or finds) the display of the requested platform.</summary>
    public static EglDisplay Open(EglPlatform requested, int deviceIndex)
    {
        string client;
        try
        {
            client = Egl.QueryString(0, Egl.Extensions);
        }
        catch (DllNotFoundException ex)
        {
            throw new GlException($"{Egl.Library} is not installed (Debian: libegl1 and a driver, libegl-mesa0 for Mesa).", ex);
        }

        EglExtensions ext = EglExtensions.Instance;
        if (!Egl.HasExtension(client, "EGL_EXT_platform_base") || ext.GetPlatformDisplay == null)
        {
            throw new GlException("EGL has no EGL_EXT_platform_base, so no headless display can be opened.");
        }

        bool hasDevice = Egl.HasExtension(client, "EGL_EXT_platform_device") && ext.QueryDevices != null;
        bool hasSurfaceless = Egl.HasExtension(client, "EGL_MESA_platform_surfaceless");
        nint[] devices = hasDevice ? QueryDevices(ext) : [];
        EglPlatform platform = requested;
        if (requested == EglPlatform.Auto)
        {
            // A GPU is a device other than Mesa's software one (EGL_MESA_device_software). In a
            // virtual machine it may have no DRM device file, so the extension decides, not the file.
            int gpu = Array.FindIndex(devices, d => !IsSoftware(ext, d));
            platform = gpu >= 0 || !hasSurfaceless ? EglPlatform.Device : EglPlatform.Surfaceless;
            if (gpu >= 0 && deviceIndex == 0)
            {
                deviceIndex = gpu;
            }
        }

        nint handle;
        string name;
        if (platform == EglPlatform.Device)
        {
            if (!hasDevice)
            {
                throw new GlException("EGL has no EGL_EXT_platform_device.");
            }

            if (deviceIndex < 0 || deviceIndex >= devices.Length)
            {
                throw new GlException($"EGL device {deviceIndex} does not exist; EGL lists {devices.Length}.");
            }

            handle = ext.GetPlatformDisplay(Egl.PlatformDeviceExt, devices[deviceIndex], null);
            name = DeviceFile(ext, devices[deviceIndex]) ?? $"EGL device {deviceIndex}{(IsSoftware(ext, devices[deviceIndex]) ? " (software)" : "")}";
        }
        else
        {
            if (!hasSurfaceless)
            {
                throw new GlException("EGL has no EGL_MESA_platform_surfaceless (Debian: libegl-mesa0).");
            }

            handle = ext.GetPlatformDisplay(Egl.PlatformSurfacelessMesa, 0, null);
            name = "Mesa surfaceless";
        }

        if (handle == 0)
        {
            throw Egl.Failure($"eglGetPlatformDisplayEXT ({platform})");
        }

        int major, minor;
        if (Egl.Initialize(handle, &major, &minor) == 0)
        {
            throw Egl.Failure($"eglInitialize ({platform}, {name})");
        }

        return new EglDisplay(handle, platform, name);
    }

    /// <summary>The dma-buf formats the display imports, with their modifiers (an empty list: none enumerable).</summary>
    public Dictionary<uint, ulong[]> QueryDmaBufFormats()
    {
        var result = new Dictionary<uint, ulong[]>();
        EglExtensions ext = EglExtensions.Instance;
        if (!CanImportModifiers || ext.QueryDmaBufFormats == null || ext.QueryDmaBufModifiers == null)
        {
            return result;
        }

        int count;
        if (ext.QueryDmaBufFormats(Handle, 0, null, &count) == 0 || count <= 0)
        {
            return result;
        }

        int[] formats = new int[count];
        fixed (int* f = formats)
        {
            ext.QueryDmaBufFormats(Handle, count, f, &count);
        }

        foreach (int format in formats.AsSpan(0, count))
        {
            int n;
            if (ext.QueryDmaBufModifiers(Handle, format, 0, null, null, &n) == 0 || n <= 0)
            {
                result[(uint)format] = [];
                continue;
            }

            ulong[] modifiers = new ulong[n];
            fixed (ulong* m = modifiers)
            {
                ext.QueryDmaBufModifiers(Handle, format, n, m, null, &n);
            }

            result[(uint)format] = modifiers[..n];
        }

        return result;
    }

    private static nint[] QueryDevices(EglExtensions ext)
    {
        int count;
        if (ext.QueryDevices(0, null, &count) == 0 || count <= 0)
        {
            return [];
        }

        nint[] devices = new nint[count];
        fixed (nint* d = devices)
        {
            ext.QueryDevices(count, d, &count);
        }

        return devices[..count];
    }

    private static bool IsSoftware(EglExtensions ext, nint device)
    {
        if (ext.QueryDeviceString == null)
        {
            return true;
        }

        nint s = ext.QueryDeviceString(device, Egl.Extensions);
        return s == 0 || Egl.HasExtension(Marshal.PtrToStringUTF8(s) ?? "", "EGL_MESA_device_software");
    }

    private static string? DeviceFile(EglExtensions ext, nint device)
    {
        if (ext.QueryDeviceString == null)
        {
            return null;
        }

        nint s = ext.QueryDeviceString(device, Egl.DrmDeviceFileExt);
        Egl.GetError(); // a device without a DRM file reports EGL_BAD_PARAMETER; clear it
        return s == 0 ? null : Marshal.PtrToStringUTF8(s);
    }
}
