using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Companion;

/// <summary>A data file's owner (the model that reads it) and the tensors the owner says it holds, when it says.</summary>
internal sealed record CompanionClaim(string Owner, IReadOnlyList<TensorRegion> Tensors);
