using System.Diagnostics;

namespace TraceBench.Servers;

/// <summary>
/// Compiles a peer harness (peers/NAME-peer.c, copied next to the program) with gcc and
/// pkg-config on first use, into peers/bin next to the program (a build output, not tracked).
/// </summary>
internal static class PeerBuilder
{
    /// <summary>The pkg-config packages and the Debian packages that provide them, per peer.</summary>
    public static (string[] PkgConfig, string Debian) Requirements(string peer) => peer switch
    {
        "libvncserver" => (["libvncserver"], "libvncserver-dev"),
        "neatvnc" => (["neatvnc", "aml", "pixman-1"], "libneatvnc-dev libaml-dev libpixman-1-dev libdrm-dev"),
        "xvnc" => (["x11"], "libx11-dev tigervnc-standalone-server"),
        _ => throw new ArgumentOutOfRangeException(nameof(peer), peer, "unknown peer"),
    };

    /// <exception cref="InvalidOperationException">The compiler, pkg-config or a library is missing, or the build failed; the message says what to install.</exception>
    public static string EnsureBuilt(string peer)
    {
        string peers = Path.Combine(AppContext.BaseDirectory, "peers");
        string source = Path.Combine(peers, $"{peer}-peer.c");
        string output = Path.Combine(peers, "bin", $"{peer}-peer");
        if (!File.Exists(source))
        {
            throw new InvalidOperationException($"The {peer} harness source {source} is missing.");
        }

        DateTime newest = new[] { source, Path.Combine(peers, "tracefile.h") }.Max(File.GetLastWriteTimeUtc);
        if (File.Exists(output) && File.GetLastWriteTimeUtc(output) >= newest)
        {
            return output;
        }

        (string[] pkgs, string debian) = Requirements(peer);
        string flags = RunTool("pkg-config", ["--cflags", "--libs", .. pkgs], $"pkg-config and {debian} (Debian packages pkg-config {debian})");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        string[] args = ["-O2", "-o", output, source, .. flags.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
        RunTool("gcc", args, "gcc (Debian package gcc)");
        return output;
    }

    private static string RunTool(string tool, string[] args, string install)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException($"{tool} is not installed; the peer harnesses need {install}.");
        }

        using (process)
        {
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed: {stderr.Result.Trim()} (install {install}).");
            }

            return stdout.Trim();
        }
    }
}
