namespace Rfb.Tests.EndToEnd.Tools;

/// <summary>
/// Finds the external programs that end-to-end tests drive. A missing program fails the test when the
/// <c>CI</c> environment variable is set (CI must have every tool) and skips it otherwise; it never lets
/// a test pass without having run.
/// </summary>
internal static class RequiredTool
{
    private static readonly string[] s_fallbackDirectories = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

    /// <summary>True when the <c>CI</c> environment variable holds any non-empty value.</summary>
    public static bool IsCi => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    /// <summary>
    /// Returns the full path of <paramref name="executable"/>, or fails/skips the current test with a message
    /// naming the executable and the Debian package that provides it.
    /// </summary>
    public static string Locate(string executable, string debianPackage)
        => TryFind(executable) ?? Missing(executable, debianPackage, IsCi);

    /// <summary>
    /// Returns the full path of the first of <paramref name="executables"/> that exists, or fails/skips the test.
    /// </summary>
    public static string LocateAny(string debianPackage, params string[] executables)
    {
        foreach (var executable in executables)
        {
            if (TryFind(executable) is { } path)
            {
                return path;
            }
        }

        return Missing(string.Join(" or ", executables), debianPackage, IsCi);
    }

    /// <summary>The full path of <paramref name="executable"/> on PATH (or the usual system folders), or null.</summary>
    public static string? TryFind(string executable)
    {
        if (executable.Contains('/'))
        {
            return IsExecutable(executable) ? Path.GetFullPath(executable) : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(s_fallbackDirectories))
        {
            var candidate = Path.Combine(directory, executable);
            if (IsExecutable(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    // Separate from IsCi so that tests can check both outcomes without touching the process environment.
    internal static string MissingMessage(string executable, string debianPackage)
        => $"The end-to-end test needs '{executable}', which is not on PATH. Install it with: apt-get install -y {debianPackage}";

    // What a missing tool means: a failure in CI, a skip elsewhere. Built, not thrown, so that tests can inspect it.
    internal static Exception MissingToolException(string executable, string debianPackage, bool ci)
    {
        var message = MissingMessage(executable, debianPackage);
        return ci
            ? Xunit.Sdk.FailException.ForFailure(message + " (the CI environment variable is set, so a missing tool is a failure)")
            : Xunit.Sdk.SkipException.ForSkip(message);
    }

    private static string Missing(string executable, string debianPackage, bool ci)
        => throw MissingToolException(executable, debianPackage, ci);

    private static bool IsExecutable(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & anyExecute) != 0;
    }
}
