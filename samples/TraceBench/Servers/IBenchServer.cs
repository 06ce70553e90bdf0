using TraceBench.Client;

namespace TraceBench.Servers;

/// <summary>One server under test, with the replay of a trace into it.</summary>
internal interface IBenchServer : IAsyncDisposable
{
    /// <summary>The name in tables and JSON ("rfb", "xvnc", "libvncserver", "neatvnc").</summary>
    string Name { get; }

    /// <summary>Starts the server with the trace's first frame size and returns its TCP port on 127.0.0.1.</summary>
    Task<int> StartAsync(LoadedTrace trace, CancellationToken cancellationToken);

    /// <summary>Processes whose CPU time and memory are the server's (and its replay's).</summary>
    IReadOnlyList<int> ServerProcessIds { get; }

    /// <summary>The process whose peak memory is reported (the server itself, not the replaying X client).</summary>
    int MemoryProcessId { get; }

    /// <summary>Replays update <paramref name="index"/> and returns once the server can see it.</summary>
    Task<AppliedUpdate> ApplyAsync(int index, CancellationToken cancellationToken);

    /// <summary>
    /// For each applied update, the measuring client's update that carried it, when the server can
    /// tell exactly (null: the bench matches by time, see docs/tracebench.md).
    /// </summary>
    int[]? MatchUpdates(IReadOnlyList<AppliedUpdate> applied, IReadOnlyList<UpdateRecord> received);
}
