namespace ModelAudit.Engine.Tests.Fuzzing;

/// <summary>Where a format keeps a length or offset, so the mutator can make it lie.</summary>
internal readonly record struct LengthField(int Offset, int Width, LengthEncoding Encoding);
