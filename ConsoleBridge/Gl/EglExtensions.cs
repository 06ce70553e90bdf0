namespace ConsoleBridge.Gl;

/// <summary>
/// EGL and GL extension entry points, looked up once through <c>eglGetProcAddress</c>. A pointer is
/// zero when the implementation does not export it; callers check the extension string first.
/// </summary>
internal sealed unsafe class EglExtensions
{
    public readonly delegate* unmanaged<int, nint*, int*, uint> QueryDevices;
    public readonly delegate* unmanaged<nint, int, nint> QueryDeviceString;
    public readonly delegate* unmanaged<uint, nint, int*, nint> GetPlatformDisplay;
    public readonly delegate* unmanaged<nint, nint, uint, nint, int*, nint> CreateImage;
    public readonly delegate* unmanaged<nint, nint, uint> DestroyImage;
    public readonly delegate* unmanaged<uint, nint, void> ImageTargetTexture2D;
    public readonly delegate* unmanaged<nint, nint, int*, int*, ulong*, uint> ExportDmaBufImageQuery;
    public readonly delegate* unmanaged<nint, nint, int*, int*, int*, uint> ExportDmaBufImage;
    public readonly delegate* unmanaged<nint, int, int*, int*, uint> QueryDmaBufFormats;
    public readonly delegate* unmanaged<nint, int, int, ulong*, uint*, int*, uint> QueryDmaBufModifiers;
    public readonly delegate* unmanaged<nint, uint, int*, nint> CreateSync;
    public readonly delegate* unmanaged<nint, nint, uint> DestroySync;
    public readonly delegate* unmanaged<nint, nint, int, int> WaitSync;
    public readonly delegate* unmanaged<nint, nint, int, ulong, int> ClientWaitSync;

    private static EglExtensions? s_instance;

    private EglExtensions()
    {
        QueryDevices = (delegate* unmanaged<int, nint*, int*, uint>)Egl.GetProcAddress("eglQueryDevicesEXT");
        QueryDeviceString = (delegate* unmanaged<nint, int, nint>)Egl.GetProcAddress("eglQueryDeviceStringEXT");
        GetPlatformDisplay = (delegate* unmanaged<uint, nint, int*, nint>)Egl.GetProcAddress("eglGetPlatformDisplayEXT");
        CreateImage = (delegate* unmanaged<nint, nint, uint, nint, int*, nint>)Egl.GetProcAddress("eglCreateImageKHR");
        DestroyImage = (delegate* unmanaged<nint, nint, uint>)Egl.GetProcAddress("eglDestroyImageKHR");
        ImageTargetTexture2D = (delegate* unmanaged<uint, nint, void>)Egl.GetProcAddress("glEGLImageTargetTexture2DOES");
        ExportDmaBufImageQuery = (delegate* unmanaged<nint, nint, int*, int*, ulong*, uint>)Egl.GetProcAddress("eglExportDMABUFImageQueryMESA");
        ExportDmaBufImage = (delegate* unmanaged<nint, nint, int*, int*, int*, uint>)Egl.GetProcAddress("eglExportDMABUFImageMESA");
        QueryDmaBufFormats = (delegate* unmanaged<nint, int, int*, int*, uint>)Egl.GetProcAddress("eglQueryDmaBufFormatsEXT");
        QueryDmaBufModifiers = (delegate* unmanaged<nint, int, int, ulong*, uint*, int*, uint>)Egl.GetProcAddress("eglQueryDmaBufModifiersEXT");
        CreateSync = (delegate* unmanaged<nint, uint, int*, nint>)Egl.GetProcAddress("eglCreateSyncKHR");
        DestroySync = (delegate* unmanaged<nint, nint, uint>)Egl.GetProcAddress("eglDestroySyncKHR");
        WaitSync = (delegate* unmanaged<nint, nint, int, int>)Egl.GetProcAddress("eglWaitSyncKHR");
        ClientWaitSync = (delegate* unmanaged<nint, nint, int, ulong, int>)Egl.GetProcAddress("eglClientWaitSyncKHR");
    }

    /// <summary>The process-wide table (the pointers are the same for every display and thread).</summary>
    public static EglExtensions Instance => s_instance ??= new EglExtensions();
}
