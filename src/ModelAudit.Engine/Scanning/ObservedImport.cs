namespace ModelAudit.Engine.Scanning;

/// <summary>
/// One import a pickle stream resolved, as the bytes spelled it (<see cref="RawModule"/>, <see cref="RawName"/>) and
/// as graded after Python 2 name mapping. The differential tests compare these with what CPython's find_class saw.
/// </summary>
internal sealed record ObservedImport(string? Member, string RawModule, string RawName, string Module, string Name, long Offset);
