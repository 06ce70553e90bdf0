using System.Net;
using System.Net.Sockets;

namespace Rfb.Tests.EndToEnd.Tools;

/// <summary>
/// Hands out TCP ports for VNC servers under test. Ports lie in 5920..5999 because some clients (gvnccapture)
/// only take a display number N and connect to 5900 + N. Each call returns a port that nothing listens on now
/// and that this process has not handed out recently.
/// </summary>
internal static class VncPorts
{
    /// <summary>The port of VNC display 0.</summary>
    public const int BasePort = 5900;

    private const int FirstDisplay = 20;
    private const int DisplayCount = 80;

    private static int s_next = Random.Shared.Next(DisplayCount);

    /// <summary>A port in 5920..5999 that is free at the time of the call.</summary>
    public static int FindFreePort()
    {
        for (var i = 0; i < DisplayCount; i++)
        {
            var offset = (int)((uint)Interlocked.Increment(ref s_next) % DisplayCount);
            var port = BasePort + FirstDisplay + offset;
            if (IsFree(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"No free TCP port in {BasePort + FirstDisplay}..{BasePort + FirstDisplay + DisplayCount - 1}.");
    }

    /// <summary>The VNC display number of <paramref name="port"/> (port − 5900).</summary>
    public static int DisplayNumberOf(int port)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(port, BasePort);
        return port - BasePort;
    }

    /// <summary>True when a listener can bind <paramref name="port"/> on every IPv4 (and IPv6, where present) address.</summary>
    public static bool IsFree(int port)
    {
        if (!CanBind(IPAddress.Any, port))
        {
            return false;
        }

        return !Socket.OSSupportsIPv6 || CanBind(IPAddress.IPv6Any, port);
    }

    private static bool CanBind(IPAddress address, int port)
    {
        try
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = false;
            }

            socket.Bind(new IPEndPoint(address, port));
            socket.Listen();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
