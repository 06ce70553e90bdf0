namespace ConsoleBridge.Gl;

/// <summary>Which EGL platform the bridge opens its display on.</summary>
public enum EglPlatform
{
    /// <summary>
    /// The device platform (<c>EGL_EXT_platform_device</c>) when a device other than Mesa's
    /// software one is enumerated (a GPU), Mesa's surfaceless platform otherwise.
    /// </summary>
    Auto,

    /// <summary>The device platform: an EGL device, chosen by <see cref="GlBridgeOptions.DeviceIndex"/>.</summary>
    Device,

    /// <summary>Mesa's surfaceless platform (<c>EGL_MESA_platform_surfaceless</c>): llvmpipe or the default render node.</summary>
    Surfaceless,
}
