using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Rfb.Tests.EndToEnd.Tools;

/// <summary>
/// A long-running external program (an X server, a viewer) whose output is collected for diagnostics and
/// which is stopped on dispose: SIGTERM first, so that X servers remove their socket and lock file, then a
/// kill of the whole process tree if it has not exited within a few seconds.
/// </summary>
internal sealed partial class BackgroundProcess : IAsyncDisposable
{
    private const int SigTerm = 15;

    private static readonly TimeSpan s_gracePeriod = TimeSpan.FromSeconds(5);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    private BackgroundProcess(Process process, string command)
    {
        _process = process;
        Command = command;
    }

    /// <summary>The command line, for messages.</summary>
    public string Command { get; }

    public int Id => _process.Id;

    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>Completes when the process has exited.</summary>
    public Task Exited => _exited.Task;

    public int? ExitCode => HasExited ? _process.ExitCode : null;

    /// <summary>Everything the process printed so far (stdout and stderr interleaved by line).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static BackgroundProcess Start(string executable, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var process = new Process { StartInfo = ToolProcess.CreateStartInfo(executable, arguments, environment), EnableRaisingEvents = true };
        var background = new BackgroundProcess(process, ToolProcess.Describe(process.StartInfo));
        process.OutputDataReceived += (_, e) => background.Append(e.Data);
        process.ErrorDataReceived += (_, e) => background.Append(e.Data);
        process.Exited += (_, _) => background._exited.TrySetResult();
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return background;
    }

    /// <summary>A description for assertion messages: the command, whether it still runs, and its output.</summary>
    public string Describe()
    {
        var state = HasExited ? $"exited with {ExitCode}" : "running";
        return $"'{Command}' ({state}); output:\n{Output.Trim()}";
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (!HasExited && !OperatingSystem.IsWindows() && SendSignal(_process.Id, SigTerm) == 0)
        {
            try
            {
                await _exited.Task.WaitAsync(s_gracePeriod);
            }
            catch (TimeoutException)
            {
                // Killed below.
            }
        }

        if (!HasExited)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Exited in between.
            }

            try
            {
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                // Leave it; nothing more can be done from here.
            }
        }

        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
