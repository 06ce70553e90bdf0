namespace Rfb.Tests.Recording;

/// <summary>Where the tests find traces: the committed small ones, and the full shared ones when present.</summary>
internal static class TracePaths
{
    public const string XtermFirst30 = "xterm_scroll_first30.fbs.zst";
    public const string PacedFirst40 = "xterm_scroll_paced_first40.fbs.zst";

    /// <summary>A trace committed under <c>Rfb.Tests/TestData/traces</c> (copied next to the tests).</summary>
    public static string TestData(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "traces", name);

    /// <summary>
    /// The full trace <c>shared/traces/<paramref name="name"/></c>, found by walking up from the
    /// tests' folder to one that has <c>shared/traces</c>; null when there is none.
    /// </summary>
    public static string? Shared(string name)
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string traces = Path.Combine(dir.FullName, "shared", "traces");
            if (Directory.Exists(traces))
            {
                string path = Path.Combine(traces, name);
                return File.Exists(path) ? path : null;
            }
        }

        return null;
    }
}
