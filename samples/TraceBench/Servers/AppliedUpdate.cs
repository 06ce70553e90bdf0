namespace TraceBench.Servers;

/// <summary>
/// When one trace update was replayed: <paramref name="StartTicks"/> before its first pixel was
/// written (the damage time), <paramref name="VisibleTicks"/> once the server could see all of it,
/// and whether it changed anything (false only when the server says so).
/// </summary>
internal readonly record struct AppliedUpdate(long StartTicks, long VisibleTicks, bool Changed);
