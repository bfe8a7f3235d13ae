namespace ModelAudit.Bench;

/// <summary>One generated input (a file, or a folder for folder modes) and the modes it is measured in.</summary>
internal sealed record BenchInput(string Name, Func<string> Make, IReadOnlyList<BenchMode> Modes);
