namespace Rfb.Tests.TraceBench;

/// <summary>
/// Tests that measure the test process's own memory: xunit runs this collection after every
/// parallel test has finished, and alone, so that no other test allocates between two snapshots.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "Alone: measures the process's memory";
}
