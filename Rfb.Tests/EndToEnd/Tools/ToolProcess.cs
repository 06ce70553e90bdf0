using System.Diagnostics;
using System.Text;

namespace Rfb.Tests.EndToEnd.Tools;

/// <summary>Runs an external program to completion with a timeout.</summary>
internal static class ToolProcess
{
    /// <summary>
    /// Runs <paramref name="executable"/> and returns its exit code and output. Past <paramref name="timeout"/>
    /// the process tree is killed and a <see cref="TimeoutException"/> carrying its output is thrown.
    /// </summary>
    public static async Task<ToolResult> RunAsync(
        string executable,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null,
        CancellationToken cancellationToken = default)
    {
        using var process = new Process { StartInfo = CreateStartInfo(executable, arguments, environment) };
        var command = Describe(process.StartInfo);
        process.Start();
        process.StandardInput.Close();

        var stdout = new MemoryStream();
        var stdoutTask = process.StandardOutput.BaseStream.CopyToAsync(stdout, CancellationToken.None);
        var stderrTask = process.StandardError.ReadToEndAsync(CancellationToken.None);

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(timeoutSource.Token);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            await Task.WhenAll(stdoutTask, stderrTask).WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
            var partial = new ToolResult(command, -1, stdout.ToArray(), await stderrTask);
            throw new TimeoutException($"'{command}' did not finish within {timeout.TotalSeconds:0.#} s and was killed; stdout: {partial.StandardOutputText.Trim()}; stderr: {partial.StandardError.Trim()}");
        }

        await Task.WhenAll(stdoutTask, stderrTask).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        return new ToolResult(command, process.ExitCode, stdout.ToArray(), await stderrTask);
    }

    internal static ProcessStartInfo CreateStartInfo(string executable, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment)
    {
        var startInfo = new ProcessStartInfo(executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            foreach (var (name, value) in environment)
            {
                startInfo.Environment[name] = value;
            }
        }

        return startInfo;
    }

    internal static string Describe(ProcessStartInfo startInfo)
        => string.Join(' ', startInfo.ArgumentList.Prepend(Path.GetFileName(startInfo.FileName)));

    internal static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
