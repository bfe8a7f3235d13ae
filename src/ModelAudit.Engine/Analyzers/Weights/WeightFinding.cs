namespace ModelAudit.Engine.Analyzers.Weights;

/// <summary>A finding weight analysis made, held until it is known whether the tensor's layer is reported.</summary>
internal sealed record WeightFinding(string RuleId, string Message, long Offset, string Evidence);
