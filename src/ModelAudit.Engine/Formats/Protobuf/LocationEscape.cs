namespace ModelAudit.Engine.Formats.Protobuf;

/// <summary>How a path stored in a model (ONNX external data, Core ML linked models) relates to the model's folder.</summary>
internal enum LocationEscape
{
    /// <summary>Stays inside the folder.</summary>
    None,

    /// <summary>An absolute path, a drive letter or a UNC path.</summary>
    Absolute,

    /// <summary>Starts with <c>..</c> (what ONNX 1.13 stripped, CVE-2022-25882).</summary>
    LeadingTraversal,

    /// <summary>Climbs out after descending, e.g. <c>sub/../../x</c> (the bypass of that fix, CVE-2024-27318).</summary>
    NestedTraversal,
}
