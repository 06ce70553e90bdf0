using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using TraceBench.Client;

namespace TraceBench.Servers;

/// <summary>
/// A peer server driven through one of our C harnesses (peers/*.c) and their line protocol:
/// "ready" once serving, "n" replays the next update and answers "a START_NS VISIBLE_NS". The
/// libvncserver and neatvnc harnesses are the server; for Xvnc the harness is an X client and
/// the server is the Xvnc process.
/// </summary>
internal sealed class HarnessServer : IBenchServer
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(20);
    private readonly string _rawTrace;
    private readonly List<Process> _processes = new();
    private Process? _harness;
    private int _memoryPid;

    public HarnessServer(string peer, string rawTrace)
    {
        Name = peer;
        _rawTrace = rawTrace;
    }

    public string Name { get; }

    public IReadOnlyList<int> ServerProcessIds => _processes.Select(p => p.Id).ToArray();

    public int MemoryProcessId => _memoryPid;

    public async Task<int> StartAsync(LoadedTrace trace, CancellationToken cancellationToken)
    {
        string harness = PeerBuilder.EnsureBuilt(Name);
        int port = FreePort();
        if (Name == "xvnc")
        {
            string xvnc = FindOnPath("Xvnc") ?? throw new InvalidOperationException("Xvnc is not installed (Debian package tigervnc-standalone-server).");
            int display = FreeDisplay();
            Process server = Start(xvnc, [$":{display}", "-rfbport", port.ToString(CultureInfo.InvariantCulture), "-geometry", $"{trace.Width}x{trace.Height}",
                "-depth", "24", "-SecurityTypes", "None", "-localhost", "-nolisten", "tcp", "-noreset", "-AlwaysShared", "-FrameRate", "1000"], null, redirectInput: false);
            _memoryPid = server.Id;
            await WaitForPortAsync(port, server, cancellationToken).ConfigureAwait(false);
            _harness = Start(harness, [_rawTrace], $":{display}", redirectInput: true);
        }
        else
        {
            _harness = Start(harness, [_rawTrace, port.ToString(CultureInfo.InvariantCulture)], null, redirectInput: true);
            _memoryPid = _harness.Id;
        }

        string? line = await ReadLineAsync(s_startTimeout, cancellationToken).ConfigureAwait(false);
        if (line != "ready")
        {
            throw new InvalidOperationException($"The {Name} harness did not start (it said \"{line}\").");
        }

        if (Name != "xvnc")
        {
            await WaitForPortAsync(port, _harness, cancellationToken).ConfigureAwait(false);
        }

        return port;
    }

    public async Task<AppliedUpdate> ApplyAsync(int index, CancellationToken cancellationToken)
    {
        await _harness!.StandardInput.WriteLineAsync("n").ConfigureAwait(false);
        await _harness.StandardInput.FlushAsync(cancellationToken).ConfigureAwait(false);
        string? line = await ReadLineAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        string[] f = line?.Split(' ') ?? [];
        if (f.Length != 3 || f[0] != "a")
        {
            throw new InvalidOperationException($"The {Name} harness answered \"{line}\" to update {index}.");
        }

        // Stopwatch ticks are CLOCK_MONOTONIC nanoseconds on Linux, as the harness reports.
        double scale = Stopwatch.Frequency / 1e9;
        return new AppliedUpdate((long)(ulong.Parse(f[1], CultureInfo.InvariantCulture) * scale), (long)(ulong.Parse(f[2], CultureInfo.InvariantCulture) * scale), Changed: true);
    }

    public int[]? MatchUpdates(IReadOnlyList<AppliedUpdate> applied, IReadOnlyList<UpdateRecord> received) => null;

    public async ValueTask DisposeAsync()
    {
        if (_harness is not null && !_harness.HasExited)
        {
            try
            {
                await _harness.StandardInput.WriteLineAsync("q").ConfigureAwait(false);
                _harness.StandardInput.Close();
                await _harness.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or TimeoutException)
            {
            }
        }

        for (int i = _processes.Count - 1; i >= 0; i--)
        {
            Process p = _processes[i];
            if (!p.HasExited)
            {
                p.Kill();
                await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }

            p.Dispose();
        }
    }

    private Process Start(string file, string[] args, string? display, bool redirectInput)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardInput = redirectInput, RedirectStandardOutput = redirectInput, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        if (display is not null)
        {
            info.Environment["DISPLAY"] = display;
        }

        Process p = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start.");
        p.ErrorDataReceived += (_, _) => { };
        p.BeginErrorReadLine();
        _processes.Add(p);
        return p;
    }

    private async Task<string?> ReadLineAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            return await _harness!.StandardOutput.ReadLineAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException($"The {Name} harness did not answer within {timeout.TotalSeconds:0} s.");
        }
    }

    private static async Task WaitForPortAsync(int port, Process owner, CancellationToken cancellationToken)
    {
        long deadline = Stopwatch.GetTimestamp() + (long)(s_startTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (owner.HasExited)
            {
                throw new InvalidOperationException($"{owner.StartInfo.FileName} exited with status {owner.ExitCode} before listening on port {port}.");
            }

            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, port, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }

        throw new InvalidOperationException($"Nothing listens on port {port} after {s_startTimeout.TotalSeconds:0} s.");
    }

    private static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    private static int FreeDisplay()
    {
        for (int n = 200 + (Environment.ProcessId % 500); n < 1000; n++)
        {
            if (!File.Exists($"/tmp/.X{n}-lock") && !File.Exists($"/tmp/.X11-unix/X{n}"))
            {
                return n;
            }
        }

        throw new InvalidOperationException("No free X display number.");
    }

    private static string? FindOnPath(string executable)
    {
        string[] dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/bin", "/usr/local/bin"]).ToArray();
        return dirs.Select(d => Path.Combine(d, executable)).FirstOrDefault(File.Exists);
    }
}
