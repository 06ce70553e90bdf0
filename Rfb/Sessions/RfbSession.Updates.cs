using System.Buffers;
using ConsoleBridge;
using ConsoleBridge.Damage;
using Rfb.Encodings;
using Rfb.Logging;
using Rfb.Protocol;

namespace Rfb.Sessions;

internal sealed partial class RfbSession
{
    /// <summary>Beyond this many rectangles an update without LastRect is sent as one bounding rectangle.</summary>
    private const int MaxCountedRectangles = 60000;

    /// <summary>
    /// Builds one FramebufferUpdate from the tiles this client is owed, under the console's read
    /// lock, straight into the output pipe. Returns false, writing nothing, when there is nothing
    /// to send for the outstanding request.
    /// </summary>
    private bool WriteFramebufferUpdate(PixelRect incremental, PixelRect full, UpdateExtras extras, PixelTranslator translator, ClientCapabilities capabilities)
    {
        using ShadowReadScope shadow = _console.ReadShadow();
        TileGrid tiles = shadow.Tiles;
        bool resized = false;
        ConsoleCopy? copy = null;
        if (shadow.SurfaceSerial != _seenSurfaceSerial || _owed.Length != tiles.TileCount)
        {
            if (_owed.Length != tiles.TileCount)
            {
                _owed = new bool[tiles.TileCount];
                _toSend = new bool[tiles.TileCount];
            }

            _owed.AsSpan().Fill(true);
            _seenSurfaceSerial = shadow.SurfaceSerial;
            if (shadow.Width != _clientWidth || shadow.Height != _clientHeight)
            {
                if (capabilities.DesktopSize)
                {
                    resized = true;
                    _clientWidth = shadow.Width;
                    _clientHeight = shadow.Height;
                }
                else if (!_resizeWarned)
                {
                    _resizeWarned = true;
                    RfbLog.CannotResize(_logger, Id, shadow.Width, shadow.Height);
                }
            }
        }
        else
        {
            if (capabilities.CopyRect)
            {
                copy = FindUsableCopy(shadow, incremental);
            }

            tiles.AccumulateChangedSince(_seenGeneration, _owed);
            if (copy is { } moved)
            {
                // Tiles that only the move changed are rebuilt by the client's CopyRect.
                for (int i = 0; i < _owed.Length; i++)
                {
                    if (_owed[i] && tiles.TileGeneration(i) == moved.Generation && moved.Destination.Contains(tiles.TileBounds(i)))
                    {
                        _owed[i] = false;
                    }
                }
            }
        }

        _seenGeneration = tiles.Generation;

        var bounds = new PixelRect(0, 0, _clientWidth, _clientHeight).Intersect(new PixelRect(0, 0, shadow.Width, shadow.Height));
        Span<bool> toSend = _toSend;
        toSend.Clear();
        if (resized)
        {
            toSend.Fill(true);
        }
        else
        {
            if (!full.IsEmpty)
            {
                tiles.MarkTiles(full.Intersect(bounds), toSend);
            }

            if (!incremental.IsEmpty)
            {
                for (int i = 0; i < _owed.Length; i++)
                {
                    if (_owed[i] && tiles.TileBounds(i).IntersectsWith(incremental))
                    {
                        toSend[i] = true;
                    }
                }
            }
        }

        for (int i = 0; i < toSend.Length; i++)
        {
            if (toSend[i])
            {
                _owed[i] = false;
            }
        }

        _rects.Clear();
        tiles.MergeTiles(toSend, _rects);
        int kept = 0;
        for (int i = 0; i < _rects.Count; i++)
        {
            PixelRect r = _rects[i].Intersect(bounds);
            if (!r.IsEmpty)
            {
                _rects[kept++] = r;
            }
        }

        _rects.RemoveRange(kept, _rects.Count - kept);
        bool sendName = extras.DesktopName && capabilities.DesktopName;
        bool sendKeyAck = extras.QemuKeyAck && capabilities.QemuExtendedKeyEvent;
        if (_rects.Count == 0 && copy is null && !resized && !sendName && !sendKeyAck)
        {
            return false;
        }

        if (!capabilities.LastRect && _rects.Count > MaxCountedRectangles)
        {
            PixelRect all = default;
            foreach (PixelRect r in _rects)
            {
                all = all.Union(r);
            }

            _rects.Clear();
            _rects.Add(all);
        }

        int pseudo = (resized ? 1 : 0) + (sendName ? 1 : 0) + (sendKeyAck ? 1 : 0) + (copy is null ? 0 : 1);
        IRectangleEncoder encoder = EncoderFor(capabilities.PreferredEncoding);
        EncodeSettings settings = capabilities.Settings;
        var view = new PixelView(shadow.Pixels, shadow.Width, shadow.Width, shadow.Height);

        // With LastRect the count need not be known up front, so rectangles go straight to the
        // pipe. Without it they are encoded into scratch first, because an encoder may split.
        if (capabilities.LastRect)
        {
            ServerMessageWriter.WriteFramebufferUpdateHeader(_output, ServerMessageWriter.UnknownRectangleCount);
            WritePseudoRectangles(resized, sendName, sendKeyAck, copy);
            EncodeRectangles(encoder, view, translator, settings, _output);
            ServerMessageWriter.WriteLastRect(_output);
        }
        else
        {
            _scratch.ResetWrittenCount();
            int encoded = EncodeRectangles(encoder, view, translator, settings, _scratch);
            if (pseudo + encoded > ushort.MaxValue - 1)
            {
                throw new InvalidOperationException($"An update of {pseudo + encoded} rectangles cannot be counted; the client lacks LastRect.");
            }

            ServerMessageWriter.WriteFramebufferUpdateHeader(_output, (ushort)(pseudo + encoded));
            WritePseudoRectangles(resized, sendName, sendKeyAck, copy);
            _output.Write(_scratch.WrittenSpan);
        }

        return true;
    }

    private int EncodeRectangles(IRectangleEncoder encoder, PixelView view, PixelTranslator translator, in EncodeSettings settings, IBufferWriter<byte> output)
    {
        int count = 0;
        foreach (PixelRect rect in _rects)
        {
            count += encoder.Encode(view.Slice(rect.X, rect.Y, rect.Width, rect.Height), rect.X, rect.Y, translator, settings, output);
        }

        return count;
    }

    /// <summary>
    /// Pseudo-rectangles and the blit come first in an update: a resize applies before any pixels,
    /// and the blit reads the client's pixels before any are replaced.
    /// </summary>
    private void WritePseudoRectangles(bool resized, bool sendName, bool sendKeyAck, ConsoleCopy? copy)
    {
        if (resized)
        {
            ServerMessageWriter.WriteDesktopSize(_output, _clientWidth, _clientHeight);
        }

        if (sendName)
        {
            ServerMessageWriter.WriteDesktopName(_output, _server.DesktopName);
        }

        if (sendKeyAck)
        {
            ServerMessageWriter.WriteQemuExtendedKeyEventAck(_output);
        }

        if (copy is { } c)
        {
            ServerMessageWriter.WriteCopyRect(_output, c.Destination, c.Source.X, c.Source.Y);
        }
    }

    private IRectangleEncoder EncoderFor(int encoding)
    {
        if (!_encoders.TryGetValue(encoding, out IRectangleEncoder? encoder))
        {
            encoder = EncoderCatalog.Create(encoding);
            _encoders[encoding] = encoder;
        }

        return encoder;
    }

    /// <summary>
    /// The one blit since this client's last update, when the client can repeat it: it holds the
    /// source exactly as it was moved (nothing under it owed or changed since the client's
    /// generation), and both places are inside the area it asked for and the client's framebuffer.
    /// More than one blit, or none, gives null and the moved pixels are sent as they are.
    /// </summary>
    private ConsoleCopy? FindUsableCopy(in ShadowReadScope shadow, PixelRect incremental)
    {
        ConsoleCopy? found = null;
        IReadOnlyList<ConsoleCopy> copies = shadow.RecentCopies;
        for (int i = 0; i < copies.Count; i++)
        {
            if (copies[i].Generation > _seenGeneration)
            {
                if (found is not null)
                {
                    return null;
                }

                found = copies[i];
            }
        }

        if (found is not { } c || c.SourceGeneration > _seenGeneration)
        {
            return null;
        }

        var client = new PixelRect(0, 0, _clientWidth, _clientHeight);
        if (!incremental.Contains(c.Destination) || !client.Contains(c.Destination) || !client.Contains(c.Source))
        {
            return null;
        }

        TileGrid tiles = shadow.Tiles;
        for (int i = 0; i < _owed.Length; i++)
        {
            if (_owed[i] && tiles.TileBounds(i).IntersectsWith(c.Source))
            {
                return null;
            }
        }

        return c;
    }
}
