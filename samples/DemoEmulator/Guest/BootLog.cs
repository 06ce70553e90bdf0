using System.Globalization;

namespace DemoEmulator.Guest;

/// <summary>
/// The guest's kernel log: an endless stream of lines in the style of <c>dmesg</c>, a burst while
/// it "boots" and then a few lines a second. Line <c>i</c> and the frame it appears at are pure
/// functions of <c>i</c>, so the console's contents at any frame are known without replaying.
/// </summary>
internal static class BootLog
{
    /// <summary>Frames between lines while booting.</summary>
    private const int BootGap = 2;

    /// <summary>Mean frames between lines after booting (about 3.7 lines a second at 30 fps).</summary>
    private const int SteadyGap = 8;

    private static readonly string[] s_boot =
    [
        "Linux version 6.1.0-demo (builder@demo) #1 SMP PREEMPT_DYNAMIC",
        "Command line: console=tty1 root=/dev/vda1 ro quiet",
        "BIOS-provided physical RAM map:",
        "x86/fpu: Enabled xstate features 0x7, context size is 832 bytes",
        "DMI: Demo Virtual Machine, BIOS 1.16.3 04/01/2014",
        "tsc: Detected 2999.998 MHz processor",
        "Memory: 2012344K/2096632K available (16384K kernel code)",
        "smp: Bringing up secondary CPUs ...",
        "smp: Brought up 1 node, 4 CPUs",
        "devtmpfs: initialized",
        "PCI: Using configuration type 1 for base access",
        "ACPI: Interpreter enabled",
        "pci 0000:00:02.0: vgaarb: setting as boot VGA device",
        "SCSI subsystem initialized",
        "clocksource: Switched to clocksource kvm-clock",
        "NET: Registered PF_INET protocol family",
        "virtio-pci 0000:00:03.0: enabling device (0000 -> 0003)",
        "virtio_blk virtio1: [vda] 41943040 512-byte logical blocks (21.5 GB)",
        " vda: vda1 vda2",
        "virtio_net virtio0 ens3: renamed from eth0",
        "Serial: 8250/16550 driver, 4 ports, IRQ sharing enabled",
        "input: AT Translated Set 2 keyboard as /devices/platform/i8042/serio0",
        "input: VirtualPS/2 VMware VMMouse as /devices/platform/i8042/serio1",
        "rtc_cmos 00:00: registered as rtc0",
        "Freeing unused kernel image (initmem) memory: 2740K",
        "Run /sbin/init as init process",
        "EXT4-fs (vda1): mounted filesystem with ordered data mode",
        "systemd[1]: Detected virtualization kvm.",
        "systemd[1]: Hostname set to <demo>.",
        "systemd[1]: Started Journal Service.",
        "virtio_net virtio0 ens3: link up, 10000 Mbps, full duplex",
        "bochs-drm 0000:00:02.0: [drm] fb0: bochs-drmdrmfb frame buffer device",
        "systemd[1]: Reached target Local File Systems.",
        "systemd[1]: Started Network Manager.",
        "NET: Registered PF_PACKET protocol family",
        "systemd[1]: Started OpenSSH server daemon.",
        "systemd[1]: Reached target Multi-User System.",
        "systemd[1]: Startup finished in 1.873s (kernel) + 2.210s (userspace).",
    ];

    private static readonly long s_bootEndFrame = (long)s_boot.Length * BootGap;

    /// <summary>The frame at which line <paramref name="line"/> appears (strictly increasing).</summary>
    public static long FrameOf(long line)
    {
        if (line < s_boot.Length)
        {
            return line * BootGap;
        }

        // A jitter of 0..4 frames keeps the steady lines from ticking like a metronome while
        // successive lines stay at least four frames apart.
        return s_bootEndFrame + (line - s_boot.Length) * SteadyGap + (long)(Mix(line) % 5);
    }

    /// <summary>How many lines have appeared by frame <paramref name="frame"/> (lines 0 .. n-1).</summary>
    public static long LinesAt(long frame)
    {
        if (frame < 0)
        {
            return 0;
        }

        // FrameOf(i) >= i, so line frame+1 is certainly later than frame.
        long lo = 0, hi = frame + 1;
        while (lo < hi)
        {
            long mid = lo + (hi - lo) / 2;
            if (FrameOf(mid) <= frame)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Writes line <paramref name="line"/> into <paramref name="destination"/>; returns its length (cut to fit).</summary>
    public static int Format(long line, Span<char> destination)
    {
        long frame = FrameOf(line);
        // The kernel's clock: the frame's time plus up to 30 ms of jitter.
        long micros = frame * 33_333 + (long)(Mix(line ^ 0x5bd1e995) % 30_000);
        // Numbers are written as int (see LineWriter); these bounds are never reached in practice.
        int seconds = (int)Math.Min(micros / 1_000_000, 99_999_999);
        int fraction = (int)(micros % 1_000_000);
        int number = (int)(line % 1_000_000_000);
        int session = (int)((line - s_boot.Length + 1) % 1_000_000_000);
        ulong h = Mix(line);
        int n = (int)(h >> 8 & 0xffff);
        Span<char> wide = stackalloc char[256];
        var w = new LineWriter(wide);
        // dmesg's "[%5lu.%06lu] ".
        w.Append('[');
        w.Append(seconds, width: 5);
        w.Append('.');
        w.Append(fraction, width: 6, zeroPad: true);
        w.Append("] ");
        if (line < s_boot.Length)
        {
            w.Append(s_boot[line]);
        }
        else
        {
            switch (h % 8)
            {
                case 0:
                    w.Append("virtio_net virtio0 ens3: rx ");
                    w.Append(n * 7 + number % 100_000_000);
                    w.Append(" packets, tx ");
                    w.Append(n * 3 + number % 100_000_000);
                    w.Append(" packets");
                    break;
                case 1:
                    w.Append("systemd[1]: Started Session ");
                    w.Append(session);
                    w.Append(" of User root.");
                    break;
                case 2:
                    w.Append("random: crng reseeded, ");
                    w.Append(n % 512 + 64);
                    w.Append(" bits of entropy");
                    break;
                case 3:
                    w.Append("EXT4-fs (vda1): committed journal transaction ");
                    w.Append(number % 100_000_000 * 11 + n % 7);
                    break;
                case 4:
                    w.Append("audit: type=1130 audit(");
                    w.Append(seconds);
                    w.Append('.');
                    w.Append(fraction / 1000, width: 3, zeroPad: true);
                    w.Append(':');
                    w.Append(number);
                    w.Append("): pid=1 uid=0 msg='unit=demo-tick'");
                    break;
                case 5:
                    w.Append("kvm-clock: corrected a drift of ");
                    w.Append(n % 900 + 100);
                    w.Append(" ns");
                    break;
                case 6:
                    w.Append("virtio_gpu virtio2: scanout 0 flushed ");
                    w.Append(n % 40 + 1);
                    w.Append(" rectangles");
                    break;
                default:
                    w.Append("usb 1-1: new high-speed USB device number ");
                    w.Append(n % 120 + 2);
                    w.Append(" using xhci_hcd");
                    break;
            }
        }

        int kept = Math.Min(w.Length, destination.Length);
        wide[..kept].CopyTo(destination);
        return kept;
    }

    /// <summary>A 64-bit mix of the line number (SplitMix64's finaliser), for repeatable variety.</summary>
    private static ulong Mix(long value)
    {
        ulong z = (ulong)value + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// Appends text and numbers to a span. Numbers go through <c>int.TryFormat</c> directly:
    /// the interpolated-string handler's overloads with a width or format box their argument until
    /// the JIT has optimised them, and the frame loop must not allocate.
    /// </summary>
    private ref struct LineWriter
    {
        private readonly Span<char> _buffer;

        public LineWriter(Span<char> buffer)
        {
            _buffer = buffer;
        }

        public int Length { get; private set; }

        public void Append(char c)
        {
            if (Length < _buffer.Length)
            {
                _buffer[Length++] = c;
            }
        }

        public void Append(string text)
        {
            int n = Math.Min(text.Length, _buffer.Length - Length);
            text.AsSpan(0, n).CopyTo(_buffer[Length..]);
            Length += n;
        }

        /// <summary>A non-negative number, right-aligned in <paramref name="width"/> columns with spaces or zeros.</summary>
        public void Append(int value, int width = 0, bool zeroPad = false)
        {
            Span<char> digits = stackalloc char[11];
            value.TryFormat(digits, out int count, default, CultureInfo.InvariantCulture);
            for (int i = count; i < width; i++)
            {
                Append(zeroPad ? '0' : ' ');
            }

            foreach (char c in digits[..count])
            {
                Append(c);
            }
        }
    }
}
