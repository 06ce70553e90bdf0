using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Silk.NET.OpenGL;

namespace ConsoleBridge.Gl;

/// <summary>
/// Diagnostics for the GL bridge, off unless set in the environment, for finding out where a
/// driver spends the time of a readback:
/// <list type="bullet">
/// <item><c>RFB_GL_DEBUG=1</c>: a debug context; the driver's debug messages (KHR_debug, for
/// example buffer placement and pixel-path performance warnings) go to standard error, the first
/// five of each message id.</item>
/// <item><c>RFB_GL_FENCE_WAIT=1</c>: after issuing a readback the GL thread waits for its fence
/// (flushing, at most 100 ms) and reports the time from issue to signal, median and p90 of every
/// 100 readbacks, to standard error. This blocks the GL thread, so frame rates with it on are not
/// the bridge's.</item>
/// </list>
/// </summary>
internal static unsafe class GlDiagnostics
{
    private static readonly ConcurrentDictionary<uint, int> s_seen = new();
    private static readonly List<double> s_waits = [];
    private static readonly DebugProc s_callback = OnMessage;

    public static bool DebugOutput { get; } = Environment.GetEnvironmentVariable("RFB_GL_DEBUG") == "1";

    public static bool FenceWait { get; } = Environment.GetEnvironmentVariable("RFB_GL_FENCE_WAIT") == "1";

    /// <summary>Turns on debug output in the current context when <see cref="DebugOutput"/> is set.</summary>
    public static void Attach(GL gl)
    {
        if (!DebugOutput)
        {
            return;
        }

        gl.Enable(EnableCap.DebugOutput);
        gl.DebugMessageCallback(s_callback, null);
        gl.DebugMessageControl(DebugSource.DontCare, DebugType.DontCare, DebugSeverity.DontCare, 0, (uint*)null, true);
        Console.Error.WriteLine("gl-debug: debug output on");
    }

    /// <summary>Waits for a just-issued readback's fence and records how long it took, when <see cref="FenceWait"/> is set.</summary>
    public static void TimeFence(GL gl, nint fence)
    {
        if (!FenceWait)
        {
            return;
        }

        long start = Stopwatch.GetTimestamp();
        gl.ClientWaitSync(fence, SyncObjectMask.Bit, 100_000_000);
        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        lock (s_waits)
        {
            s_waits.Add(ms);
            if (s_waits.Count == 100)
            {
                s_waits.Sort();
                Console.Error.WriteLine(FormattableString.Invariant($"gl-fence: issue to signal over 100 readbacks: p50 {s_waits[50]:0.000} ms, p90 {s_waits[90]:0.000} ms, min {s_waits[0]:0.000} ms"));
                s_waits.Clear();
            }
        }
    }

    private static void OnMessage(GLEnum source, GLEnum type, int id, GLEnum severity, int length, nint message, nint userParam)
    {
        int count = s_seen.AddOrUpdate((uint)id, 1, (_, n) => n + 1);
        if (count <= 5)
        {
            string text = Marshal.PtrToStringUTF8(message, length) ?? "";
            Console.Error.WriteLine($"gl-debug: {source} {type} {severity} id {id}: {text}");
        }
    }
}
