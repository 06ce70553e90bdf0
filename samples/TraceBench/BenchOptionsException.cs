namespace TraceBench;

/// <summary>The command line is wrong; the message says how.</summary>
internal sealed class BenchOptionsException(string message) : Exception(message);
