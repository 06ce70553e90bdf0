using System.Runtime.InteropServices;
using System.Text;

namespace ConsoleBridge.Gl;

/// <summary>
/// The part of EGL the bridge uses, bound by hand to <c>libEGL.so.1</c> (glvnd's dispatcher, which
/// picks Mesa or the GPU vendor's driver). Core EGL 1.4 entry points are imported; extension
/// entry points come from <c>eglGetProcAddress</c> into <see cref="EglExtensions"/>.
/// </summary>
internal static unsafe partial class Egl
{
    public const string Library = "libEGL.so.1";

    public const int None = 0x3038;
    public const int Success = 0x3000;
    public const int BadAccess = 0x3002;
    public const int BadAlloc = 0x3003;
    public const int BadAttribute = 0x3004;
    public const int BadMatch = 0x3009;
    public const int BadParameter = 0x300C;
    public const int ContextLost = 0x300E;
    public const int Vendor = 0x3053;
    public const int Extensions = 0x3055;
    public const int Height = 0x3056;
    public const int Width = 0x3057;
    public const int RenderableType = 0x3040;
    public const int OpenGlBit = 0x0008;
    public const uint OpenGlApi = 0x30A2;
    public const int ContextMajorVersion = 0x3098;
    public const int ContextMinorVersion = 0x30FB;
    public const int ContextOpenGlProfileMask = 0x30FD;
    public const int ContextOpenGlCoreProfileBit = 0x1;
    public const int ContextOpenGlDebug = 0x31B0;
    public const uint PlatformSurfacelessMesa = 0x31DD;
    public const uint PlatformDeviceExt = 0x313F;
    public const int DrmDeviceFileExt = 0x3233;
    public const int DrmRenderNodeFileExt = 0x3377;
    public const uint GlTexture2DKhr = 0x30B1;
    public const int ImagePreservedKhr = 0x30D2;
    public const uint LinuxDmaBufExt = 0x3270;
    public const int LinuxDrmFourccExt = 0x3271;
    public const uint SyncFenceKhr = 0x30F9;
    public const int SyncFlushCommandsBitKhr = 0x1;
    public const int ConditionSatisfiedKhr = 0x30F6;
    public const ulong ForeverKhr = ulong.MaxValue;

    /// <summary>EGL_DMA_BUF_PLANEn_{FD, OFFSET, PITCH, MODIFIER_LO, MODIFIER_HI}_EXT for n = 0..3.</summary>
    public static ReadOnlySpan<int> PlaneFd => [0x3272, 0x3275, 0x3278, 0x3440];

    public static ReadOnlySpan<int> PlaneOffset => [0x3273, 0x3276, 0x3279, 0x3441];

    public static ReadOnlySpan<int> PlanePitch => [0x3274, 0x3277, 0x327A, 0x3442];

    public static ReadOnlySpan<int> PlaneModifierLo => [0x3443, 0x3445, 0x3447, 0x3449];

    public static ReadOnlySpan<int> PlaneModifierHi => [0x3444, 0x3446, 0x3448, 0x344A];

    [LibraryImport(Library, EntryPoint = "eglGetProcAddress")]
    private static partial nint GetProcAddressNative(byte* name);

    [LibraryImport(Library, EntryPoint = "eglQueryString")]
    private static partial nint QueryStringNative(nint display, int name);

    [LibraryImport(Library, EntryPoint = "eglGetError")]
    public static partial int GetError();

    [LibraryImport(Library, EntryPoint = "eglInitialize")]
    public static partial uint Initialize(nint display, int* major, int* minor);

    [LibraryImport(Library, EntryPoint = "eglTerminate")]
    public static partial uint Terminate(nint display);

    [LibraryImport(Library, EntryPoint = "eglBindAPI")]
    public static partial uint BindApi(uint api);

    [LibraryImport(Library, EntryPoint = "eglChooseConfig")]
    public static partial uint ChooseConfig(nint display, int* attributes, nint* configs, int size, int* count);

    [LibraryImport(Library, EntryPoint = "eglCreateContext")]
    public static partial nint CreateContext(nint display, nint config, nint shareContext, int* attributes);

    [LibraryImport(Library, EntryPoint = "eglDestroyContext")]
    public static partial uint DestroyContext(nint display, nint context);

    [LibraryImport(Library, EntryPoint = "eglMakeCurrent")]
    public static partial uint MakeCurrent(nint display, nint draw, nint read, nint context);

    [LibraryImport(Library, EntryPoint = "eglReleaseThread")]
    public static partial uint ReleaseThread();

    /// <summary>Any EGL or GL entry point by name (EGL_KHR_get_all_proc_addresses also gives core GL), or 0.</summary>
    public static nint GetProcAddress(string name)
    {
        int length = Encoding.ASCII.GetByteCount(name);
        Span<byte> bytes = length < 256 ? stackalloc byte[length + 1] : new byte[length + 1];
        Encoding.ASCII.GetBytes(name, bytes);
        bytes[length] = 0;
        fixed (byte* p = bytes)
        {
            return GetProcAddressNative(p);
        }
    }

    /// <summary>eglQueryString as a string; empty when EGL returns nothing.</summary>
    public static string QueryString(nint display, int name) => Marshal.PtrToStringUTF8(QueryStringNative(display, name)) ?? "";

    public static bool HasExtension(string extensions, string name)
    {
        foreach (Range r in extensions.AsSpan().Split(' '))
        {
            if (extensions.AsSpan()[r].SequenceEqual(name))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The name of an EGL error code, for messages.</summary>
    public static string ErrorName(int error) => error switch
    {
        Success => "EGL_SUCCESS",
        0x3001 => "EGL_NOT_INITIALIZED",
        BadAccess => "EGL_BAD_ACCESS",
        BadAlloc => "EGL_BAD_ALLOC",
        BadAttribute => "EGL_BAD_ATTRIBUTE",
        0x3005 => "EGL_BAD_CONFIG",
        0x3006 => "EGL_BAD_CONTEXT",
        0x3008 => "EGL_BAD_DISPLAY",
        BadMatch => "EGL_BAD_MATCH",
        BadParameter => "EGL_BAD_PARAMETER",
        ContextLost => "EGL_CONTEXT_LOST",
        0x322B => "EGL_BAD_DEVICE_EXT",
        _ => $"EGL error 0x{error:x4}",
    };

    /// <summary>Throws a <see cref="GlException"/> naming <paramref name="what"/> and the current EGL error.</summary>
    public static GlException Failure(string what)
    {
        int error = GetError();
        return new GlException($"{what} failed: {ErrorName(error)}.") { EglError = error };
    }
}
