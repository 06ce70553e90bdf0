namespace DemoEmulator.Guest;

/// <summary>
/// The text of the guest's console: a scrollback of the most recent lines and a shell prompt with
/// what the user is typing. Fixed buffers, no allocation after construction. Versions tell the
/// scene what to redraw: <see cref="LinesVersion"/> changes when the scrollback moves,
/// <see cref="InputVersion"/> when the prompt line changes.
/// </summary>
internal sealed class TerminalText
{
    /// <summary>Longest line kept; longer lines are cut.</summary>
    public const int MaxColumns = 160;

    /// <summary>Lines of scrollback kept.</summary>
    public const int Capacity = 256;

    public const string Prompt = "root@demo:~# ";

    private readonly char[] _text = new char[Capacity * MaxColumns];
    private readonly int[] _lengths = new int[Capacity];
    private readonly char[] _input = new char[MaxColumns - Prompt.Length];
    private int _next;
    private long _lineCount;
    private int _inputLength;

    /// <summary>Lines appended so far (also the count of those no longer kept).</summary>
    public long LineCount => _lineCount;

    public long LinesVersion { get; private set; }

    public long InputVersion { get; private set; }

    /// <summary>What the user has typed at the prompt.</summary>
    public ReadOnlySpan<char> Input => _input.AsSpan(0, _inputLength);

    /// <summary>
    /// The line <paramref name="age"/> places back from the newest (0 is the newest), or empty
    /// when fewer lines were appended or it has left the scrollback.
    /// </summary>
    public ReadOnlySpan<char> Line(int age)
    {
        if (age < 0 || age >= Capacity || age >= _lineCount)
        {
            return default;
        }

        int slot = (_next - 1 - age + Capacity) % Capacity;
        return _text.AsSpan(slot * MaxColumns, _lengths[slot]);
    }

    public void AppendLine(ReadOnlySpan<char> text)
    {
        Span<char> slot = BeginLine();
        int length = Math.Min(text.Length, MaxColumns);
        text[..length].CopyTo(slot);
        CommitLine(length);
    }

    /// <summary>The buffer of the next line, <see cref="MaxColumns"/> long; write into it, then <see cref="CommitLine"/>.</summary>
    public Span<char> BeginLine() => _text.AsSpan(_next * MaxColumns, MaxColumns);

    public void CommitLine(int length)
    {
        _lengths[_next] = Math.Clamp(length, 0, MaxColumns);
        _next = (_next + 1) % Capacity;
        _lineCount++;
        LinesVersion++;
    }

    /// <summary>Types a character at the prompt; ignored when the line is full.</summary>
    public void Type(char c)
    {
        if (_inputLength < _input.Length)
        {
            _input[_inputLength++] = c;
            InputVersion++;
        }
    }

    public void Backspace()
    {
        if (_inputLength > 0)
        {
            _inputLength--;
            InputVersion++;
        }
    }

    /// <summary>Enter: the prompt and its input become a line of scrollback, and the prompt starts empty.</summary>
    public void Enter()
    {
        Span<char> slot = BeginLine();
        Prompt.AsSpan().CopyTo(slot);
        Input.CopyTo(slot[Prompt.Length..]);
        CommitLine(Prompt.Length + _inputLength);
        _inputLength = 0;
        InputVersion++;
    }
}
