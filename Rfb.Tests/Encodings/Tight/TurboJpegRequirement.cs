using Rfb.Encodings.Jpeg;
using Rfb.Tests.EndToEnd.Tools;

namespace Rfb.Tests.Encodings.Tight;

/// <summary>JPEG tests need libturbojpeg0: without it they fail under CI and skip elsewhere, naming the package.</summary>
internal static class TurboJpegRequirement
{
    public static void Ensure()
    {
        if (TurboJpeg.IsAvailable)
        {
            return;
        }

        string message = $"TurboJPEG is unavailable ({TurboJpeg.UnavailableReason}); install the Debian package libturbojpeg0.";
        if (RequiredTool.IsCi)
        {
            Assert.Fail(message);
        }

        Assert.Skip(message);
    }
}
