using System.Diagnostics;
using System.Globalization;

namespace TraceBench.Client;

/// <summary>
/// The measuring client running as <c>TraceBench client</c> in a process of its own. Its report
/// lines are read on a thread of the bench's own, with blocking reads and waits (no timer, no
/// thread-pool hop), whose CPU time is kept so that the bench can leave it out of the server's
/// when the server runs in the bench's process.
/// </summary>
internal sealed class ClientProcess : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _end = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<UpdateRecord> _all = new();
    private readonly System.Text.StringBuilder _stderr = new();
    private int _taken;
    private bool _closed;
    private long _readerCpuTicks;

    private ClientProcess(Process process)
    {
        _process = process;
        new Thread(ReadStdout) { IsBackground = true, Name = "client reports" }.Start();
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        _process.BeginErrorReadLine();
    }

    /// <summary>The client's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>CPU time of the thread that reads the client's reports, up to its last line.</summary>
    public TimeSpan ReaderCpu => TimeSpan.FromTicks(Volatile.Read(ref _readerCpuTicks));

    /// <summary>How many update lines have been read so far.</summary>
    public int ReceivedCount
    {
        get
        {
            lock (_all)
            {
                return _all.Count;
            }
        }
    }

    /// <summary>Every update line read so far.</summary>
    public List<UpdateRecord> Received
    {
        get
        {
            lock (_all)
            {
                return _all.ToList();
            }
        }
    }

    public static ClientProcess Start(int port, int[] encodings, string dumpPath)
    {
        string dll = typeof(ClientCommand).Assembly.Location;
        string apphost = Path.ChangeExtension(dll, null);
        var info = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (File.Exists(apphost))
        {
            info.FileName = apphost;
        }
        else
        {
            info.FileName = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
            info.ArgumentList.Add(dll);
        }

        foreach (string a in new[] { "client", "--port", port.ToString(CultureInfo.InvariantCulture), "--encodings", string.Join(",", encodings), "--dump", dumpPath })
        {
            info.ArgumentList.Add(a);
        }

        return new ClientProcess(Process.Start(info) ?? throw new InvalidOperationException("The measuring client did not start."));
    }

    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        Task done = await Task.WhenAny(_ready.Task, _end.Task, Task.Delay(timeout)).ConfigureAwait(false);
        if (done != _ready.Task)
        {
            throw new InvalidOperationException($"The measuring client did not get its first update within {timeout.TotalSeconds:0} s. {Stderr()}");
        }
    }

    /// <summary>Whether the client's output has ended (it exited, or the server closed its connection and it stopped).</summary>
    public bool Ended
    {
        get
        {
            lock (_all)
            {
                return _closed;
            }
        }
    }

    /// <summary>Drops update lines already read and not yet taken.</summary>
    public void DrainPending()
    {
        lock (_all)
        {
            _taken = _all.Count;
        }
    }

    /// <summary>The next update line, or null when none comes within <paramref name="timeout"/> (a blocking wait).</summary>
    public UpdateRecord? NextUpdate(TimeSpan timeout)
    {
        long deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        lock (_all)
        {
            while (_taken == _all.Count)
            {
                long left = deadline - Stopwatch.GetTimestamp();
                if (_closed || left <= 0)
                {
                    return null;
                }

                Monitor.Wait(_all, TimeSpan.FromMilliseconds(Math.Max(1, left * 1000.0 / Stopwatch.Frequency)));
            }

            return _all[_taken++];
        }
    }

    /// <summary>Tells the client to stop and returns its END line's fields (skipped rectangles, first skipped encoding, JPEG rectangles).</summary>
    public async Task<(long Skipped, int FirstSkippedEncoding, long JpegRectangles)> StopAsync(TimeSpan timeout)
    {
        try
        {
            await _process.StandardInput.WriteLineAsync("stop").ConfigureAwait(false);
            await _process.StandardInput.FlushAsync().ConfigureAwait(false);
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
        }

        Task done = await Task.WhenAny(_end.Task, Task.Delay(timeout)).ConfigureAwait(false);
        if (done != _end.Task)
        {
            throw new InvalidOperationException($"The measuring client did not finish within {timeout.TotalSeconds:0} s. {Stderr()}");
        }

        await _process.WaitForExitAsync().WaitAsync(timeout).ConfigureAwait(false);
        string[] f = (await _end.Task.ConfigureAwait(false)).Split(' ');
        return (long.Parse(f[1], CultureInfo.InvariantCulture), int.Parse(f[2], CultureInfo.InvariantCulture),
            f.Length > 3 ? long.Parse(f[3], CultureInfo.InvariantCulture) : 0);
    }

    public string Stderr()
    {
        lock (_stderr)
        {
            return _stderr.ToString().Trim();
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }

    private void ReadStdout()
    {
        string? line;
        while ((line = _process.StandardOutput.ReadLine()) is not null)
        {
            if (line == ClientCommand.Ready)
            {
                _ready.TrySetResult();
            }
            else if (UpdateRecord.TryParse(line, out UpdateRecord record))
            {
                lock (_all)
                {
                    _all.Add(record);
                    Monitor.PulseAll(_all);
                }
            }
            else if (line.StartsWith(ClientCommand.End + " ", StringComparison.Ordinal))
            {
                _end.TrySetResult(line);
            }

            Volatile.Write(ref _readerCpuTicks, ThreadCpu.Now().Ticks);
        }

        lock (_all)
        {
            _closed = true;
            Monitor.PulseAll(_all);
        }

        _end.TrySetResult($"{ClientCommand.End} 0 0 0");
    }
}
