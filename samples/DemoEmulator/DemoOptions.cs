using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;

namespace DemoEmulator;

/// <summary>The demo emulator's command line, parsed by hand. <see cref="Parse"/> is the only way to make one.</summary>
internal sealed class DemoOptions
{
    public const int DefaultWidth = 1280;
    public const int DefaultHeight = 720;
    public const int MinDimension = 16;
    public const int MaxDimension = 8192;
    public const int MaxHeads = 8;

    private const string SizeForm = "WxH such as 1280x720";
    private const string VncForm = "ADDR:PORT such as 127.0.0.1:5900, [::1]:5900 or 0.0.0.0:5900";
    private const string WsForm = "ADDR:PORT such as 127.0.0.1:5700 or [::1]:5700";
    private const string HeadsForm = "a number from 1 to 8";
    private const string LevelForm = "one of Trace, Debug, Information, Warning, Error, Critical";
    private const string FileForm = "a file name";

    private static readonly LogLevel[] s_levels =
        [LogLevel.Trace, LogLevel.Debug, LogLevel.Information, LogLevel.Warning, LogLevel.Error, LogLevel.Critical];

    private DemoOptions()
    {
    }

    /// <summary>The text <c>--help</c> prints: every option with its default.</summary>
    public static string HelpText { get; } =
        """
        Usage: DemoEmulator [options]

        A demo emulator whose guest screen is served over VNC.

        Options:
          --vnc ADDR:PORT        Address the VNC server listens on (default 127.0.0.1:5900).
                                 IPv6 addresses go in brackets: [::1]:5900. 0.0.0.0 listens on
                                 every IPv4 interface. Port 0 picks a free port.
          --size WxH             Guest screen size in pixels, 16..8192 each side (default 1280x720).
          --heads N              Number of guest screens (heads), 1..8 (default 1), shown
                                 side by side as one desktop; each follows clients' resizes.
          --password-file FILE   Require VNC authentication with the password in FILE: its
                                 first line, or a vncpasswd file (default: no password).
          --trace FILE           Replay an FBS trace (.fbs or .fbs.zst) at its recorded pace
                                 instead of drawing the demo scene, then hold its last frame
                                 (default: draw the scene).
          --ws ADDR:PORT         Serve the web client (noVNC) and accept WebSocket clients on
                                 this address (default 127.0.0.1:5700): open
                                 http://ADDR:PORT/vnc.html?autoconnect=1 in a browser.
          --log-level LEVEL      Trace, Debug, Information, Warning, Error or Critical
                                 (default Information). Debug logs every key and pointer event.
          -h, --help             Show this text and exit.

        An option's value may follow it as the next argument or after '=' (--size=800x600).
        """;

    /// <summary>Where the VNC server listens.</summary>
    public IPEndPoint Vnc { get; private set; } = new(IPAddress.Loopback, 5900);

    /// <summary>Where WebSocket clients are accepted, or null when the WebSocket listener is off.</summary>
    public IPEndPoint? WebSocket { get; private set; }

    public int Width { get; private set; } = DefaultWidth;

    public int Height { get; private set; } = DefaultHeight;

    public int Heads { get; private set; } = 1;

    /// <summary>The file holding the VNC password, or null for no authentication. Not read here.</summary>
    public string? PasswordFile { get; private set; }

    /// <summary>An FBS trace to replay instead of the scene, or null. Not read here.</summary>
    public string? TraceFile { get; private set; }

    public LogLevel LogLevel { get; private set; } = LogLevel.Information;

    /// <summary>Whether <c>--help</c> or <c>-h</c> was given; the caller prints <see cref="HelpText"/> and exits.</summary>
    public bool ShowHelp { get; private set; }

    /// <summary>
    /// Parses the command line. <c>--help</c> anywhere wins over everything else. Throws
    /// <see cref="DemoOptionsException"/> with a message meant for the user on any mistake.
    /// </summary>
    public static DemoOptions Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new DemoOptions();
        if (args.Any(a => a is "--help" or "-h"))
        {
            options.ShowHelp = true;
            return options;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith('-'))
            {
                throw new DemoOptionsException($"unexpected argument '{arg}'; see --help");
            }

            string name = arg;
            string? inline = null;
            int equals = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                name = arg[..equals];
                inline = arg[(equals + 1)..];
            }

            string form = name switch
            {
                "--vnc" => VncForm,
                "--ws" => WsForm,
                "--size" => SizeForm,
                "--heads" => HeadsForm,
                "--log-level" => LevelForm,
                "--password-file" or "--trace" => FileForm,
                _ => throw new DemoOptionsException($"unknown option {name}; see --help"),
            };

            if (!seen.Add(name))
            {
                throw new DemoOptionsException($"{name} was given more than once");
            }

            string? value = inline ?? (i + 1 < args.Length ? args[++i] : null);
            if (string.IsNullOrEmpty(value))
            {
                throw new DemoOptionsException($"{name} expects {form}, got nothing");
            }

            switch (name)
            {
                case "--vnc":
                    options.Vnc = ParseEndPoint(name, value, form);
                    break;
                case "--ws":
                    options.WebSocket = ParseEndPoint(name, value, form);
                    break;
                case "--size":
                    (options.Width, options.Height) = ParseSize(name, value, form);
                    break;
                case "--heads":
                    options.Heads = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int heads) && heads is >= 1 and <= MaxHeads
                        ? heads
                        : throw Expected(name, form, value);
                    break;
                case "--log-level":
                    options.LogLevel = ParseLevel(name, value, form);
                    break;
                case "--password-file":
                    options.PasswordFile = value;
                    break;
                default:
                    options.TraceFile = value;
                    break;
            }
        }

        return options;
    }

    private static DemoOptionsException Expected(string name, string form, string value) =>
        new($"{name} expects {form}, got '{value}'");

    private static IPEndPoint ParseEndPoint(string name, string value, string form)
    {
        // IPEndPoint.TryParse also takes an address without a port (port 0); demand the port.
        int colon = value.LastIndexOf(':');
        bool hasPort = colon > 0 && (value[0] != '[' || value[colon - 1] == ']');
        if (!hasPort)
        {
            throw Expected(name, form, value);
        }

        string port = value[(colon + 1)..];
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number > IPEndPoint.MaxPort)
        {
            throw new DemoOptionsException($"{name}: port must be a number from 0 to 65535, got '{port}'");
        }

        string host = value[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':'))
        {
            // A bare IPv6 address is ambiguous with its port; brackets are required.
            throw Expected(name, form, value);
        }

        return IPAddress.TryParse(host, out IPAddress? address) && (host.Contains(':') || IsDottedQuad(host))
            ? new IPEndPoint(address, number)
            : throw Expected(name, form, value);
    }

    // IPAddress.TryParse accepts "1" or "1.2" as IPv4 shorthand; only the four-part form is meant here.
    private static bool IsDottedQuad(string host) => host.Count(c => c == '.') == 3;

    private static (int Width, int Height) ParseSize(string name, string value, string form)
    {
        int x = value.IndexOfAny(['x', 'X']);
        if (x <= 0
            || !int.TryParse(value.AsSpan(0, x), NumberStyles.None, CultureInfo.InvariantCulture, out int width)
            || !int.TryParse(value.AsSpan(x + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int height))
        {
            throw Expected(name, form, value);
        }

        if (width is < MinDimension or > MaxDimension || height is < MinDimension or > MaxDimension)
        {
            throw new DemoOptionsException($"{name} must be {MinDimension}..{MaxDimension} pixels on each side, got {width}x{height}");
        }

        return (width, height);
    }

    private static LogLevel ParseLevel(string name, string value, string form)
    {
        foreach (LogLevel level in s_levels)
        {
            if (string.Equals(value, level.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                return level;
            }
        }

        throw Expected(name, form, value);
    }
}

/// <summary>A mistake on the command line; the message is meant for the user as it is.</summary>
internal sealed class DemoOptionsException : Exception
{
    public DemoOptionsException(string message)
        : base(message)
    {
    }
}
