namespace ModelAudit.Engine.Tests.Differential;

/// <summary>What <see cref="DifferentialChecker"/> compares one CPython unpickler record against: our imports per member
/// (member, raw module, raw name), where reached non-allowlisted uses go, and the engine's evidence for its documented gradings.</summary>
internal sealed record PickleCheck(
    HashSet<(string Member, string Module, string Name)> Imports,
    List<string> Reached,
    HashSet<string> UnknownInfo,
    bool PayloadScanned,
    bool TorchScript,
    Action<string, string> Add);
