using ConsoleBridge;
using DemoEmulator.Guest;

namespace Rfb.Tests.Demo;

public sealed class GuestPartsTests
{
    [Fact]
    public void BitmapFont_EveryPrintableAscii_HasItsOwnNonBlankGlyph()
    {
        var seen = new Dictionary<string, char>();
        for (char c = '!'; c <= '~'; c++)
        {
            Assert.True(BitmapFont.Covers(c));
            ReadOnlySpan<byte> rows = BitmapFont.Glyph(c);
            Assert.Equal(BitmapFont.GlyphHeight, rows.Length);
            string key = Convert.ToHexString(rows);
            Assert.False(seen.ContainsKey(key), $"'{c}' looks like '{(seen.TryGetValue(key, out char other) ? other : ' ')}'");
            seen[key] = c;
            int bits = 0;
            foreach (byte row in rows)
            {
                Assert.Equal(0, row & ~0x1F); // five columns wide
                bits |= row;
            }

            Assert.NotEqual(0, bits);
        }

        Assert.All(BitmapFont.Glyph(' ').ToArray(), row => Assert.Equal(0, row));
    }

    [Fact]
    public void BitmapFont_CharacterOutsideFont_DrawsHollowBox()
    {
        Assert.False(BitmapFont.Covers('é'));
        Assert.Equal(new byte[] { 0x1F, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1F, 0, 0 }, BitmapFont.Glyph('é').ToArray());
    }

    [Theory]
    [InlineData("-- a\n ##x.. \n")]
    [InlineData("..... ...\n")]
    [InlineData(".....\n")]
    public void BitmapFont_MalformedSheet_IsRejected(string sheet)
    {
        Assert.Throws<FormatException>(() => BitmapFont.ParseSheet(sheet));
    }

    [Fact]
    public void DamageList_OverlappingRects_MergeWhenCheaperAndStaySeparateOtherwise()
    {
        var damage = new DamageList();
        damage.Reset(new PixelRect(0, 0, 1000, 1000));
        damage.Add(new PixelRect(100, 100, 50, 50));
        damage.Add(new PixelRect(103, 102, 50, 50));  // a window that moved by (3, 2)
        damage.Add(new PixelRect(800, 800, 10, 10));  // far away
        damage.Add(new PixelRect(990, 990, 50, 50));  // clipped to the screen
        damage.Add(new PixelRect(801, 801, 2, 2));    // inside one already there
        Assert.Equal(
            [new PixelRect(100, 100, 53, 52), new PixelRect(800, 800, 10, 10), new PixelRect(990, 990, 10, 10)],
            damage.Rects.ToArray());
    }

    [Fact]
    public void DamageList_MoreThanCapacity_CollapsesIntoBoundingBox()
    {
        var damage = new DamageList();
        damage.Reset(new PixelRect(0, 0, 4000, 100));
        for (int i = 0; i <= DamageList.Capacity; i++)
        {
            damage.Add(new PixelRect(i * 100, 10, 2, 2));
        }

        Assert.Equal([new PixelRect(0, 10, DamageList.Capacity * 100 + 2, 2)], damage.Rects.ToArray());
    }

    [Fact]
    public void BootLog_LinesAt_CountsLinesWhoseFrameHasCome()
    {
        for (long frame = -1; frame < 2000; frame += 7)
        {
            long n = BootLog.LinesAt(frame);
            Assert.True(n == 0 || BootLog.FrameOf(n - 1) <= frame);
            Assert.True(BootLog.FrameOf(n) > frame);
        }
    }

    [Fact]
    public void BootLog_Format_WritesKernelStyleLines()
    {
        Span<char> buffer = stackalloc char[TerminalText.MaxColumns];
        int n = BootLog.Format(0, buffer);
        Assert.StartsWith("[    0.0", buffer[..n].ToString());
        Assert.EndsWith("] Linux version 6.1.0-demo (builder@demo) #1 SMP PREEMPT_DYNAMIC", buffer[..n].ToString());
        n = BootLog.Format(1000, buffer[..20]);
        Assert.Equal(20, n);
        Assert.Matches(@"^\[ *\d+\.\d{6}\] ", buffer[..n].ToString());
    }

    [Fact]
    public void TerminalText_MoreLinesThanCapacity_KeepsNewest()
    {
        var text = new TerminalText();
        for (int i = 0; i < TerminalText.Capacity + 10; i++)
        {
            text.AppendLine($"line {i}");
        }

        Assert.Equal($"line {TerminalText.Capacity + 9}", text.Line(0).ToString());
        Assert.Equal("line 10", text.Line(TerminalText.Capacity - 1).ToString());
        Assert.True(text.Line(TerminalText.Capacity).IsEmpty);
    }
}
