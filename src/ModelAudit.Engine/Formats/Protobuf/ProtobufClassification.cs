namespace ModelAudit.Engine.Formats.Protobuf;

/// <summary>What the classifier made of a head: the one format it is (or null), and every format it could be.</summary>
internal sealed record ProtobufClassification(ProtobufKind? Kind, IReadOnlyList<ProtobufKind> Candidates)
{
    public static ProtobufClassification None { get; } = new(null, Array.Empty<ProtobufKind>());

    /// <summary>True when the bytes fit more than one format and nothing (not even the name) decides.</summary>
    public bool IsAmbiguous => Kind is null && Candidates.Count > 1;
}
