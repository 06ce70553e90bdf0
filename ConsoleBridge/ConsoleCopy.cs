namespace ConsoleBridge;

/// <summary>
/// A blit the emulator reported (<see cref="DisplayConsole.CopyRect"/>): the pixels of
/// <see cref="Source"/> moved to <see cref="Destination"/> (same size) as generation
/// <see cref="Generation"/>. <see cref="SourceGeneration"/> is the newest generation of any
/// tile under the source at the time of the move: a reader that had seen that generation, and
/// owes nothing under the source, holds exactly the moved pixels and may repeat the move instead
/// of receiving them again.
/// </summary>
public readonly record struct ConsoleCopy(long Generation, long SourceGeneration, PixelRect Source, PixelRect Destination);
