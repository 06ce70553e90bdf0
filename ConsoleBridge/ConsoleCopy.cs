namespace ConsoleBridge;

/// <summary>
/// A blit the emulator reported (<see cref="DisplayConsole.CopyRect"/>): the pixels of
/// <see cref="Source"/> moved to <see cref="Destination"/> (same size) as generation
/// <see cref="Generation"/>. A reader whose copy of the screen matched the source before that
/// generation may repeat the move instead of receiving the pixels again.
/// </summary>
public readonly record struct ConsoleCopy(long Generation, PixelRect Source, PixelRect Destination);
