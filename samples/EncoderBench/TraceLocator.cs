namespace EncoderBench;

/// <summary>Finds the shared traces beside the checkout (or a folder given in RFB_TRACES).</summary>
internal static class TraceLocator
{
    public const int SampleEvery = 8;

    public static IEnumerable<string> Names => Directory.Exists(Folder)
        ? Directory.GetFiles(Folder, "*.fbs.zst").Select(Path.GetFileName).OfType<string>().Order()
        : [];

    public static string Folder
    {
        get
        {
            string? configured = Environment.GetEnvironmentVariable("RFB_TRACES");
            if (!string.IsNullOrEmpty(configured))
            {
                return configured;
            }

            for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared", "traces");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }

            return Path.Combine(Directory.GetCurrentDirectory(), "traces");
        }
    }

    public static TraceFrames Sample(string name) => TraceFrames.Load(Path.Combine(Folder, name), SampleEvery);
}
