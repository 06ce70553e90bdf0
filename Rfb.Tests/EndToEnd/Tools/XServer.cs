using System.Globalization;

namespace Rfb.Tests.EndToEnd.Tools;

/// <summary>
/// A running X server (Xvfb or Xvnc) on a display number of its own, with helpers to run X clients against it.
/// The display number is free when picked (no socket, no lock file, not handed out in this process) and the
/// server is retried on another number when it loses a race for it.
/// </summary>
internal sealed class XServer : IAsyncDisposable
{
    private const int FirstDisplay = 100;
    private const int DisplayCount = 800;
    private const int Attempts = 8;

    private static readonly HashSet<int> s_inUse = [];

    private readonly BackgroundProcess _process;

    private XServer(BackgroundProcess process, int number)
    {
        _process = process;
        Number = number;
        Environment = new Dictionary<string, string> { ["DISPLAY"] = Name };
    }

    /// <summary>The display number N.</summary>
    public int Number { get; }

    /// <summary>The display name, <c>:N</c>.</summary>
    public string Name => $":{Number}";

    /// <summary>Environment variables that point an X client at this display.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>The server process, for its log and state.</summary>
    public BackgroundProcess Process => _process;

    /// <summary>
    /// Starts <paramref name="executable"/> with the arguments that <paramref name="arguments"/> gives for a
    /// display number, and waits until <c>xdpyinfo</c> can talk to it and <paramref name="ready"/> (when given) holds.
    /// </summary>
    public static async Task<XServer> StartAsync(
        string executable,
        Func<int, IEnumerable<string>> arguments,
        TimeSpan timeout,
        Func<int, CancellationToken, Task<bool>>? ready = null,
        CancellationToken cancellationToken = default)
    {
        var xdpyinfo = RequiredTool.Locate("xdpyinfo", "x11-utils");
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        var failures = new List<string>();
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var number = ReserveDisplayNumber();
            var process = BackgroundProcess.Start(executable, arguments(number));
            var server = new XServer(process, number);
            try
            {
                if (await server.WaitUntilReadyAsync(xdpyinfo, ready, timeoutSource.Token))
                {
                    return server;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                var description = process.Describe();
                await server.DisposeAsync();
                throw new TimeoutException($"X server {server.Name} was not ready within {timeout.TotalSeconds:0.#} s: {description}");
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }

            failures.Add(process.Describe());
            await server.DisposeAsync();
        }

        throw new InvalidOperationException($"The X server failed to start {Attempts} times:\n{string.Join("\n", failures)}");
    }

    /// <summary>Runs an X client with DISPLAY set to this server; the result carries its exit code and output.</summary>
    public Task<ToolResult> RunClientAsync(string executable, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken = default)
        => ToolProcess.RunAsync(executable, arguments, timeout, Environment, cancellationToken);

    /// <summary>Like <see cref="RunClientAsync"/>, but a non-zero exit code throws with the client's output.</summary>
    public async Task<ToolResult> RunClientCheckedAsync(string executable, IEnumerable<string> arguments, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var result = await RunClientAsync(executable, arguments, timeout, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"X client failed on {Name}: {result.Describe()}");
        }

        return result;
    }

    /// <summary>Dumps a window (an id such as <c>0x200005</c>, or <c>root</c>) with <c>xwd</c> and decodes it.</summary>
    public async Task<ImageRgb> CaptureWindowAsync(string windowId, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var xwd = RequiredTool.Locate("xwd", "x11-apps");
        string[] arguments = windowId == "root" ? ["-silent", "-root"] : ["-silent", "-id", windowId];
        var result = await RunClientCheckedAsync(xwd, arguments, timeout, cancellationToken);
        return XwdDecoder.Decode(result.StandardOutput);
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        lock (s_inUse)
        {
            s_inUse.Remove(Number);
        }
    }

    private async Task<bool> WaitUntilReadyAsync(string xdpyinfo, Func<int, CancellationToken, Task<bool>>? ready, CancellationToken cancellationToken)
    {
        var lockFile = $"/tmp/.X{Number}-lock";
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                return false; // most likely lost the display number to another server; try another
            }

            // The lock file holds the owner's pid: make sure the display that answers is ours, not a neighbour's.
            if (LockOwner(lockFile) == _process.Id)
            {
                var probe = await ToolProcess.RunAsync(xdpyinfo, ["-display", Name], TimeSpan.FromSeconds(10), null, cancellationToken);
                if (probe.ExitCode == 0 && (ready is null || await ready(Number, cancellationToken)))
                {
                    return !_process.HasExited;
                }
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private static int? LockOwner(string lockFile)
    {
        try
        {
            return int.TryParse(File.ReadAllText(lockFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static int ReserveDisplayNumber()
    {
        var start = Random.Shared.Next(DisplayCount);
        lock (s_inUse)
        {
            for (var i = 0; i < DisplayCount; i++)
            {
                var number = FirstDisplay + ((start + i) % DisplayCount);
                if (!s_inUse.Contains(number) && !File.Exists($"/tmp/.X{number}-lock") && !File.Exists($"/tmp/.X11-unix/X{number}"))
                {
                    s_inUse.Add(number);
                    return number;
                }
            }
        }

        throw new InvalidOperationException($"No free X display number in :{FirstDisplay}..:{FirstDisplay + DisplayCount - 1}.");
    }
}
