namespace TraceBench.Servers;

/// <summary>The peers by the names <c>--peers</c> takes.</summary>
internal static class PeerServers
{
    public static IBenchServer Create(string peer, string rawTrace) => new HarnessServer(peer, rawTrace);
}
