namespace Rfb.Tests.EndToEnd.Tools;

public sealed class RequiredToolTests
{
    private const string Missing = "rfb-tests-no-such-tool";

    [Fact]
    public void MissingToolException_InCi_IsFailureNamingToolAndPackage()
    {
        var error = RequiredTool.MissingToolException(Missing, "some-package", ci: true);
        Assert.IsType<Xunit.Sdk.FailException>(error);
        Assert.Contains(Missing, error.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install -y some-package", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingToolException_OutsideCi_IsSkipNamingToolAndPackage()
    {
        var error = RequiredTool.MissingToolException(Missing, "some-package", ci: false);
        Assert.IsType<Xunit.Sdk.SkipException>(error);
        Assert.Contains(Missing, error.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install -y some-package", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryFind_ShellOnPath_ReturnsExecutableFileAndNullForMissing()
    {
        // Every Debian system has /bin/sh; the test proves PATH lookup returns a real file.
        var path = RequiredTool.TryFind("sh");
        Assert.NotNull(path);
        Assert.True(File.Exists(path), path);
        Assert.Null(RequiredTool.TryFind(Missing));
    }
}
