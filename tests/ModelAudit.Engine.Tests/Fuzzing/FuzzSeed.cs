namespace ModelAudit.Engine.Tests.Fuzzing;

/// <summary>One starting input of the fuzzer: its bytes, the file name it is scanned under (detection and the
/// extension check look at it) and what it is known to be.</summary>
internal sealed record FuzzSeed(string Name, string FileName, byte[] Data, SeedKind Kind);
