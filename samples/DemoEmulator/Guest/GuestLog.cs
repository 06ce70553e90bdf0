using Microsoft.Extensions.Logging;

namespace DemoEmulator.Guest;

internal static partial class GuestLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Key {Direction}: keysym 0x{Keysym:x4}, XT scancode 0x{Scancode:x2}")]
    public static partial void Key(ILogger logger, string direction, uint keysym, uint scancode);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Pointer at ({X}, {Y}), buttons 0x{Buttons:x2}")]
    public static partial void Pointer(ILogger logger, int x, int y, int buttons);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Clipboard from a client: {Length} characters")]
    public static partial void Clipboard(ILogger logger, int length);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Input queue full; dropped an event")]
    public static partial void InputDropped(ILogger logger);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Guest screen is {Width}x{Height}")]
    public static partial void Resized(ILogger logger, int width, int height);
}
