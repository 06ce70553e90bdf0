using System.Text;

namespace Rfb.Tests.EndToEnd.Tools;

/// <summary>What a finished external program left behind.</summary>
internal sealed record ToolResult(string Command, int ExitCode, byte[] StandardOutput, string StandardError)
{
    public string StandardOutputText => Encoding.UTF8.GetString(StandardOutput);

    /// <summary>A description for assertion messages: the command, its exit code and everything it printed.</summary>
    public string Describe()
    {
        var stdout = StandardOutput.Length > 4000 ? $"({StandardOutput.Length} bytes)" : StandardOutputText.Trim();
        return $"'{Command}' exited with {ExitCode}; stdout: {stdout}; stderr: {StandardError.Trim()}";
    }
}
