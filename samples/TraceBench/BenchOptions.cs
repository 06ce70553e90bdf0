using System.Globalization;
using Rfb.Encodings;

namespace TraceBench;

/// <summary>
/// <c>TraceBench TRACE... [--encoding tight|zrle|...] [--quality N] [--compress N] [--threads N]
/// [--pace recorded|max] [--encoder-only] [--peers xvnc,libvncserver,neatvnc] [--json FILE]
/// [--final-frame FILE.png] [--charts DIR] [--updates DIR] [--clients N] [--warmup]</c>.
/// </summary>
internal sealed class BenchOptions
{
    public static readonly string[] KnownPeers = ["xvnc", "libvncserver", "neatvnc"];

    public static string HelpText =>
        $"""
        Replays FBS traces through a VNC server and a measuring client, and reports bytes, CPU, throughput and latency.

        Usage:
          TraceBench TRACE... [--encoding {EncodingNames.All}] [--quality N] [--compress N] [--threads N]
                     [--pace recorded|max] [--encoder-only] [--peers xvnc,libvncserver,neatvnc]
                     [--json FILE] [--final-frame FILE.png] [--charts DIR] [--updates DIR] [--clients N]
                     [--warmup] [--blits report|damage] [--scroll-detection on|off]
          TraceBench record HOST:PORT --seconds N OUT.fbs.zst

        Options:
          --encoding NAME     the encoding the measuring client asks for (default raw), plus CopyRect,
                              LastRect and DesktopSize
          --quality N         JPEG quality level 0..9 (announced as a pseudo-encoding)
          --compress N        compress level 0..9 (announced as a pseudo-encoding)
          --threads N         run the server's processes (ours or a peer's) on N CPUs only (sched_setaffinity);
                              the measuring client keeps every CPU (default: no limit)
          --pace PACE         recorded (default): replay at the recorded times, for latency;
                              max: replay the next update as soon as the client has the previous one
          --encoder-only      encode each recorded rectangle as given, without the pipeline (like
                              TigerVNC's encperf)
          --peers LIST        also run these servers on the same trace with the same client
          --json FILE         write one object per trace and server
          --final-frame FILE  save the client's last framebuffer as PNG (FILE-TRACE.png with several traces)
          --charts DIR        write an SVG chart per trace (bytes and CPU per update of every server) into DIR
          --updates DIR       write DIR/TRACE-SERVER.tsv per trace and server: a line per update in the
                              latency figures (when it was replayed, damage to first and last byte, bytes)
          --clients N         connect N clients to this server (one measured, the others alike) and report
                              its memory per connected client (default 1; peers always get one)
          --warmup            replay each trace once through this server, unmeasured, before the measured
                              run (the JIT compiles and optimises the server's code first; peers are native)
          --blits MODE        report (default): a recorded CopyRect is applied to guest memory and reported
                              to the console as a blit; damage: applied and only invalidated, as by an
                              emulator that cannot report blits (this server only; not with --peers)
          --scroll-detection on|off
                              whether this server's console looks for scrolled rows in redrawn frames
                              (DisplayConsoleOptions.DetectScrolls; default on)
        """;

    public List<string> Traces { get; } = new();

    public int Encoding { get; private set; } = EncodingType.Raw;

    public int Quality { get; private set; } = -1;

    public int Compress { get; private set; } = -1;

    /// <summary>CPUs the server's processes may run on; 0 (the default) leaves them every CPU.</summary>
    public int Threads { get; private set; }

    public Pace Pace { get; private set; } = Pace.Recorded;

    public bool EncoderOnly { get; private set; }

    /// <summary>
    /// Replay each trace once through this library's server, unmeasured, before the measured run,
    /// so that the JIT has compiled and optimised the server's code (a long-running server's
    /// steady state); the peers are native code and need no warm-up.
    /// </summary>
    public bool Warmup { get; private set; }

    public List<string> Peers { get; } = new();

    /// <summary>Whether recorded CopyRects are reported to the console as blits (else only invalidated).</summary>
    public bool ReportBlits { get; private set; } = true;

    /// <summary>Whether this server's console looks for scrolls in redrawn frames.</summary>
    public bool DetectScrolls { get; private set; } = true;

    public string? JsonPath { get; private set; }

    public string? FinalFramePath { get; private set; }

    /// <summary>The folder for the SVG charts, or null for none.</summary>
    public string? ChartsDirectory { get; private set; }

    /// <summary>The folder for the per-update listings (<see cref="UpdateListing"/>), or null for none.</summary>
    public string? UpdatesDirectory { get; private set; }

    /// <summary>Clients connected to this server during the replay (the first is the measuring one).</summary>
    public int Clients { get; private set; } = 1;

    public bool ShowHelp { get; private set; }

    /// <exception cref="BenchOptionsException">The arguments are wrong; the message says how.</exception>
    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var o = new BenchOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal))
            {
                o.Traces.Add(a);
                continue;
            }

            if (a is "--help")
            {
                o.ShowHelp = true;
                continue;
            }

            if (a is "--encoder-only")
            {
                o.EncoderOnly = true;
                continue;
            }

            if (a is "--warmup")
            {
                o.Warmup = true;
                continue;
            }

            if (i + 1 >= args.Count)
            {
                throw new BenchOptionsException($"{a} needs a value.");
            }

            string v = args[++i];
            switch (a)
            {
                case "--encoding":
                    if (!EncodingNames.TryParse(v, out int e))
                    {
                        throw new BenchOptionsException($"--encoding {v}: unknown encoding; use one of {EncodingNames.All}.");
                    }

                    o.Encoding = e;
                    break;
                case "--quality":
                    o.Quality = Int(a, v, 0, 9);
                    break;
                case "--compress":
                    o.Compress = Int(a, v, 0, 9);
                    break;
                case "--threads":
                    o.Threads = Int(a, v, 1, 256);
                    break;
                case "--pace":
                    o.Pace = v switch
                    {
                        "recorded" => Pace.Recorded,
                        "max" => Pace.Max,
                        _ => throw new BenchOptionsException($"--pace {v}: use recorded or max."),
                    };
                    break;
                case "--peers":
                    foreach (string p in v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        string peer = p.ToLowerInvariant();
                        if (!KnownPeers.Contains(peer))
                        {
                            throw new BenchOptionsException($"--peers: unknown peer {p}; use {string.Join(",", KnownPeers)}.");
                        }

                        if (!o.Peers.Contains(peer))
                        {
                            o.Peers.Add(peer);
                        }
                    }

                    break;
                case "--blits":
                    o.ReportBlits = v switch
                    {
                        "report" => true,
                        "damage" => false,
                        _ => throw new BenchOptionsException($"--blits {v}: use report or damage."),
                    };
                    break;
                case "--scroll-detection":
                    o.DetectScrolls = v switch
                    {
                        "on" => true,
                        "off" => false,
                        _ => throw new BenchOptionsException($"--scroll-detection {v}: use on or off."),
                    };
                    break;
                case "--json":
                    o.JsonPath = v;
                    break;
                case "--final-frame":
                    o.FinalFramePath = v;
                    break;
                case "--charts":
                    o.ChartsDirectory = v;
                    break;
                case "--updates":
                    o.UpdatesDirectory = v;
                    break;
                case "--clients":
                    o.Clients = Int(a, v, 1, 64);
                    break;
                default:
                    throw new BenchOptionsException($"Unknown option {a}; see --help.");
            }
        }

        if (o.ShowHelp)
        {
            return o;
        }

        if (o.Traces.Count == 0)
        {
            throw new BenchOptionsException("Give at least one trace (.fbs or .fbs.zst); see --help.");
        }

        if (o.EncoderOnly && o.Peers.Count > 0)
        {
            throw new BenchOptionsException("--encoder-only measures this library's encoders alone; it cannot run --peers.");
        }

        if (!o.ReportBlits && o.Peers.Count > 0)
        {
            throw new BenchOptionsException("--blits damage changes only this server's replay; the peers' harnesses report blits, so it cannot run --peers.");
        }

        if (o.EncoderOnly && o.Clients > 1)
        {
            throw new BenchOptionsException("--encoder-only has no clients; it cannot run --clients.");
        }

        if (o.EncoderOnly && o.UpdatesDirectory is not null)
        {
            throw new BenchOptionsException("--encoder-only has no client and so no latencies; it cannot write --updates.");
        }

        return o;
    }

    /// <summary>Where the final frame of <paramref name="traceName"/> goes: the path itself with one trace, PATH-TRACE.png with several.</summary>
    public string? FinalFrameFor(string traceName)
    {
        if (FinalFramePath is null || Traces.Count == 1)
        {
            return FinalFramePath;
        }

        string dir = Path.GetDirectoryName(FinalFramePath) ?? "";
        return Path.Combine(dir, $"{Path.GetFileNameWithoutExtension(FinalFramePath)}-{traceName}{Path.GetExtension(FinalFramePath)}");
    }

    private static int Int(string option, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < min || n > max)
        {
            throw new BenchOptionsException($"{option} {value}: give a whole number from {min} to {max}.");
        }

        return n;
    }
}
