namespace ConsoleBridge.Gl;

/// <summary>One plane of a dma-buf: its file descriptor, the byte offset of the plane in it, and the row pitch.</summary>
/// <param name="Fd">The dma-buf file descriptor. The console duplicates it; the caller keeps (and closes) its own.</param>
/// <param name="Offset">Bytes from the start of the buffer to the plane's first row.</param>
/// <param name="Stride">Bytes from the start of one row to the next.</param>
public readonly record struct DmaBufPlane(int Fd, int Offset, int Stride);
