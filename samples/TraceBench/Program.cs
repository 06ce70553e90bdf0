using Rfb.Recording;
using TraceBench.Client;

namespace TraceBench;

/// <summary>The trace benchmark; see <see cref="BenchOptions.HelpText"/> and docs/tracebench.md.</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        try
        {
            if (args.Length > 0 && args[0] == "client")
            {
                return ClientCommand.Run(args);
            }

            if (args.Length > 0 && args[0] == ZlibProbe.Command)
            {
                return ZlibProbe.Run(args);
            }

            if (args.Length > 0 && args[0] == "record")
            {
                return RecordCommand.Run(args, Console.Out);
            }

            BenchOptions options = BenchOptions.Parse(args);
            if (options.ShowHelp)
            {
                Console.Out.Write(BenchOptions.HelpText);
                return 0;
            }

            using var stopping = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                stopping.Cancel();
            };
            IReadOnlyList<BenchResult> results = await Bench.RunAsync(options, Console.Out, Console.Error, stopping.Token);
            return results.All(r => r.FinalFrameMatches || r.FinalFrame.StartsWith("not checked", StringComparison.Ordinal) || r.FinalFrame.StartsWith("encoder only", StringComparison.Ordinal)) ? 0 : 3;
        }
        catch (BenchOptionsException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 2;
        }
        catch (TraceFormatException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }
    }
}
