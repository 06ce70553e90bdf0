using System.Globalization;
using System.IO.Pipelines;
using Rfb.Recording;

namespace TraceBench.Client;

/// <summary>
/// <c>TraceBench client --host H --port P --encodings E,E,... [--dump FILE]</c>: the measuring
/// client as its own process, so that the bench process's CPU time is the server's alone.
/// </summary>
/// <remarks>
/// Standard output, one line each: <c>READY</c> once the first (non-incremental) update is read
/// and decoded; an <see cref="UpdateRecord"/> line per later update as soon as its last byte is
/// read (it is decoded after that, on another thread); <c>END skipped first-skipped-encoding jpeg-rectangles</c>
/// at the end, once every update read has been decoded. It stops when standard input ends or says <c>stop</c>, then writes its
/// framebuffer to the dump file (u32 LE width, u32 LE height, XRGB8888 rows).
/// </remarks>
internal static class ClientCommand
{
    public const string Ready = "READY";
    public const string End = "END";

    /// <summary>The most bytes read and not yet decoded before the reading waits for the decoding (<see cref="Run"/>).</summary>
    public const int PauseBytes = 64 * 1024 * 1024;

    public static int Run(string[] args)
    {
        string host = "127.0.0.1";
        int port = 0;
        int[] encodings = [];
        string? dump = null;
        for (int i = 1; i < args.Length; i++)
        {
            string value = i + 1 < args.Length ? args[i + 1] : throw new BenchOptionsException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--host": host = value; break;
                case "--port": port = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--encodings": encodings = value.Split(',').Select(e => int.Parse(e, CultureInfo.InvariantCulture)).ToArray(); break;
                case "--dump": dump = value; break;
                default: throw new BenchOptionsException($"client: unknown option {args[i]}.");
            }

            i++;
        }

        TextWriter output = Console.Out;
        using MeasuringClient client = MeasuringClient.Connect(host, port, encodings, TimeSpan.FromSeconds(10));
        var stopping = 0;
        var stdin = new Thread(() =>
        {
            string? line;
            while ((line = Console.In.ReadLine()) is not null && line.Trim() != "stop")
            {
            }

            Volatile.Write(ref stopping, 1);
            client.Shutdown();
        }) { IsBackground = true, Name = "stdin" };
        stdin.Start();
        // Later updates are framed on this thread and decoded on another from a copy of their
        // bytes, so an update is reported (and the next one requested) when its last byte is read,
        // not when it has been inflated and drawn: the decoding of one update overlaps the
        // server's work on the next, as in a viewer that reads and draws on different threads.
        // The pipe holds at most PauseBytes not yet decoded; past that the reading waits.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: PauseBytes, resumeWriterThreshold: PauseBytes / 2, useSynchronizationContext: false));
        Exception? decodeError = null;
        var decoding = new Thread(() =>
        {
            var copy = new RfbInput(pipe.Reader.AsStream());
            try
            {
                while (true)
                {
                    client.DecodeUpdate(copy);
                }
            }
            catch (EndOfStreamException)
            {
                // Every update read has been decoded (the reading ended and completed the pipe).
            }
            catch (Exception ex)
            {
                Volatile.Write(ref decodeError, ex);
                client.Shutdown();
            }
            finally
            {
                pipe.Reader.Complete();
            }
        }) { IsBackground = true, Name = "decode" };
        try
        {
            client.RequestUpdate(incremental: false);
            client.ReadUpdate();
            output.WriteLine(Ready);
            output.Flush();
            client.Input.Tap = pipe.Writer;
            decoding.Start();
            client.RequestUpdate(incremental: true);
            while (true)
            {
                UpdateRecord record = client.FrameUpdate();
                if (pipe.Writer.FlushAsync().AsTask().GetAwaiter().GetResult().IsCompleted)
                {
                    break; // the decoding thread failed and stopped reading
                }

                client.RequestUpdate(incremental: true);
                output.WriteLine(record.ToLine());
                output.Flush();
            }
        }
        catch (Exception ex) when (Volatile.Read(ref stopping) == 1 && ex is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
        }
        catch (EndOfStreamException) when (Volatile.Read(ref stopping) == 0 && Volatile.Read(ref decodeError) is null)
        {
            Console.Error.WriteLine("client: the server closed the connection before the bench said stop.");
        }
        catch (Exception) when (Volatile.Read(ref decodeError) is not null)
        {
            // The decoding thread shut the socket down; its error is the one to report.
        }
        finally
        {
            pipe.Writer.Complete();
            if (decoding.IsAlive)
            {
                decoding.Join();
            }
        }

        if (Volatile.Read(ref decodeError) is { } error)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }

        if (dump is not null && client.Framebuffer is { } fb)
        {
            WriteDump(dump, fb);
        }

        output.WriteLine(FormattableString.Invariant($"{End} {client.SkippedRectangles} {client.FirstSkippedEncoding ?? 0} {client.JpegRectangles}"));
        output.Flush();
        return 0;
    }

    public static void WriteDump(string path, TraceFramebuffer framebuffer)
    {
        using var file = File.Create(path);
        Span<byte> header = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)framebuffer.Width);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)framebuffer.Height);
        file.Write(header);
        file.Write(framebuffer.Pixels);
    }

    public static TraceFramebuffer ReadDump(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int width = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        int height = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4));
        var fb = new TraceFramebuffer(width, height);
        fb.WriteRaw(0, 0, width, height, bytes.AsSpan(8, width * height * 4));
        return fb;
    }
}
