using ConsoleBridge;
using ConsoleBridge.Damage;
using Rfb.Encodings;
using Rfb.Protocol;

namespace Rfb.Sessions;

/// <summary>
/// The cursor plane seen by one client. A client that announced a cursor pseudo-encoding gets the
/// shape (VMware's alpha cursor when announced, else the rich Cursor) whenever it changes and draws
/// it at its own pointer. Any other client gets the cursor composed into its pixels: the tiles
/// under its old and new place are owed, and a rectangle that meets it is encoded from a scratch
/// copy with the cursor blended in. The shadow itself is never touched.
/// </summary>
internal sealed partial class RfbSession
{
    /// <summary>Stands for "no cursor shown" in <see cref="_sentCursorShape"/>: sent as a transparent 1×1 cursor.</summary>
    private static readonly object s_hiddenCursor = new();

    private static readonly uint[] s_transparentPixel = [0];

    // Update-loop state. A shape (a DesktopCursor, or s_hiddenCursor) last sent and in which encoding.
    private object? _sentCursorShape;
    private int _sentCursorEncoding;
    private object? _cursorShapeDue;
    private int _cursorShapeEncoding;
    private PixelTranslator? _cursorTranslator;

    // What this client's pixels hold (drawn clients only), and what they held before this update.
    private DrawnCursor? _drawnCursor;
    private DrawnCursor? _previousDrawnCursor;
    private uint[] _cursorScratch = [];

    /// <summary>The number of cursor pseudo-rectangles this update carries (0 or 1).</summary>
    private int CursorShapeRectangles => _cursorShapeDue is null ? 0 : 1;

    /// <summary>
    /// Decides, before the heads are planned, what this update does with the cursor: a shape to
    /// send, or where to draw it. Returns whether the cursor is drawn into this client's pixels
    /// (then CopyRect is not used, since a blit would move the composed cursor with the pixels).
    /// </summary>
    private bool PlanCursor(DesktopLayout layout, ClientCapabilities capabilities, PixelTranslator translator)
    {
        _previousDrawnCursor = _drawnCursor;
        _cursorShapeDue = null;
        (DesktopHead? head, DesktopCursorState cursor, bool anyImage) = ChooseCursor(layout);
        if (capabilities.ClientCursor)
        {
            _drawnCursor = null;
            int encoding = capabilities.VMwareCursor ? EncodingType.VMwareCursor : EncodingType.Cursor;
            if (encoding != _sentCursorEncoding)
            {
                _sentCursorShape = null;
            }

            // Before the emulator defines any cursor the client keeps its own.
            object? shape = head is not null ? cursor.Image : anyImage ? s_hiddenCursor : null;
            if (shape is not null && !ReferenceEquals(shape, _sentCursorShape))
            {
                _cursorShapeDue = shape;
                _cursorShapeEncoding = encoding;
                _cursorTranslator = translator;
            }

            return false;
        }

        _sentCursorShape = null;
        _drawnCursor = head is null ? null : new DrawnCursor(head, cursor.Image!, cursor.Bounds);
        return _drawnCursor is not null;
    }

    /// <summary>
    /// The cursor to show: the visible one of the head the pointer was last over, else the first
    /// visible one in layout order. Also says whether any head defined a cursor at all.
    /// </summary>
    private (DesktopHead? Head, DesktopCursorState Cursor, bool AnyImage) ChooseCursor(DesktopLayout layout)
    {
        DesktopHead? chosen = null;
        DesktopCursorState chosenState = default;
        bool anyImage = false;
        DesktopHead? preferred = _inputHead;
        foreach (DesktopPlacement p in layout.Heads)
        {
            DesktopCursorState c = p.Head.Console.Cursor;
            anyImage |= c.Image is not null;
            if (c.Visible && c.Image is not null && (chosen is null || p.Head == preferred))
            {
                chosen = p.Head;
                chosenState = c;
            }
        }

        return (chosen, chosenState, anyImage);
    }

    /// <summary>While a head is planned: owes the tiles under the drawn cursor's old and new place when it changed.</summary>
    private void OweCursorTiles(DesktopHead head, HeadState state, TileGrid tiles)
    {
        DrawnCursor? before = _previousDrawnCursor, now = _drawnCursor;
        if (Equals(before, now))
        {
            return;
        }

        var grid = new PixelRect(0, 0, tiles.Width, tiles.Height);
        foreach (DrawnCursor? drawn in (ReadOnlySpan<DrawnCursor?>)[before, now])
        {
            if (drawn is not null && drawn.Head == head)
            {
                PixelRect area = drawn.Bounds.Intersect(grid);
                if (!area.IsEmpty)
                {
                    tiles.AddArea(area, state.Owed);
                }
            }
        }
    }

    /// <summary>
    /// The pixels to encode for <paramref name="local"/> of a head: the shadow itself, or, where
    /// the drawn cursor meets the rectangle, a scratch copy of just that rectangle with the cursor
    /// blended over it.
    /// </summary>
    /// <summary>Whether <see cref="WithCursor"/> draws the cursor into <paramref name="local"/> of this head.</summary>
    private bool DrawsCursorInto(HeadState state, PixelRect local)
        => _drawnCursor is { } cursor && cursor.Head == state.Head && !cursor.Bounds.Intersect(local).IsEmpty;

    private PixelView WithCursor(HeadState state, PixelView head, PixelRect local)
    {
        PixelView source = head.Slice(local.X, local.Y, local.Width, local.Height);
        if (_drawnCursor is not { } cursor || cursor.Head != state.Head)
        {
            return source;
        }

        PixelRect area = cursor.Bounds.Intersect(local);
        if (area.IsEmpty)
        {
            return source;
        }

        int width = local.Width;
        int count = width * local.Height;
        if (_cursorScratch.Length < count)
        {
            _cursorScratch = new uint[count];
        }

        Span<uint> scratch = _cursorScratch.AsSpan(0, count);
        for (int y = 0; y < local.Height; y++)
        {
            source.Row(y).CopyTo(scratch.Slice(y * width, width));
        }

        ReadOnlySpan<uint> image = cursor.Image.Pixels;
        int imageWidth = cursor.Image.Width;
        for (int y = area.Y; y < area.Bottom; y++)
        {
            Span<uint> row = scratch.Slice((y - local.Y) * width, width);
            ReadOnlySpan<uint> imageRow = image.Slice((y - cursor.Bounds.Y) * imageWidth, imageWidth);
            for (int x = area.X; x < area.Right; x++)
            {
                row[x - local.X] = Blend(row[x - local.X], imageRow[x - cursor.Bounds.X]);
            }
        }

        return new PixelView(_cursorScratch, width, width, local.Height);
    }

    /// <summary>Straight-alpha "over": each channel is (cursor × a + pixel × (255 − a) + 127) / 255.</summary>
    internal static uint Blend(uint pixel, uint argb)
    {
        uint a = argb >> 24;
        if (a == 255)
        {
            return argb & 0x00FFFFFF;
        }

        if (a == 0)
        {
            return pixel;
        }

        uint inverse = 255 - a;
        uint r = ((((argb >> 16) & 0xFF) * a) + (((pixel >> 16) & 0xFF) * inverse) + 127) / 255;
        uint g = ((((argb >> 8) & 0xFF) * a) + (((pixel >> 8) & 0xFF) * inverse) + 127) / 255;
        uint b = (((argb & 0xFF) * a) + ((pixel & 0xFF) * inverse) + 127) / 255;
        return (r << 16) | (g << 8) | b;
    }

    /// <summary>Among the pseudo-rectangles: the cursor shape decided by <see cref="PlanCursor"/>, if any.</summary>
    private void WriteCursorShapeIfDue()
    {
        if (_cursorShapeDue is not { } shape)
        {
            return;
        }

        ReadOnlySpan<uint> pixels = s_transparentPixel;
        int width = 1, height = 1, hotspotX = 0, hotspotY = 0;
        if (shape is DesktopCursor image)
        {
            pixels = image.Pixels;
            (width, height, hotspotX, hotspotY) = (image.Width, image.Height, image.HotspotX, image.HotspotY);
        }

        if (_cursorShapeEncoding == EncodingType.VMwareCursor)
        {
            ServerMessageWriter.WriteVMwareAlphaCursor(_output, pixels, width, height, hotspotX, hotspotY);
        }
        else
        {
            ServerMessageWriter.WriteCursor(_output, pixels, width, height, hotspotX, hotspotY, _cursorTranslator!);
        }

        _sentCursorShape = shape;
        _sentCursorEncoding = _cursorShapeEncoding;
        _cursorShapeDue = null;
    }

    /// <summary>A cursor composed into a client's pixels: on which head, which image, where (head pixels, unclipped).</summary>
    private sealed record DrawnCursor(DesktopHead Head, DesktopCursor Image, PixelRect Bounds);
}
