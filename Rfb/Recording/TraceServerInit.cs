namespace Rfb.Recording;

/// <summary>The recorded server's ServerInit: the framebuffer's size and the desktop's name.</summary>
public sealed class TraceServerInit : TraceEvent
{
    public TraceServerInit(int width, int height, string name, uint timestampMs)
        : base(timestampMs)
    {
        ArgumentNullException.ThrowIfNull(name);
        Width = width;
        Height = height;
        Name = name;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>The desktop name, decoded as UTF-8.</summary>
    public string Name { get; }

    public override string ToString() => $"ServerInit {Width}x{Height} \"{Name}\" @{TimestampMs} ms";
}
