namespace ModelAudit;

/// <summary>The licence a scanned file declares (model card front matter, metadata, a LICENSE text), for SBOMs.</summary>
public sealed class ModelLicense
{
    /// <summary>Creates a licence record. Made by the engine.</summary>
    public ModelLicense(string? spdxId, string name, string source)
    {
        SpdxId = spdxId;
        Name = name;
        Source = source;
    }

    /// <summary>The SPDX identifier (<c>Apache-2.0</c>, <c>MIT</c>) when the declared licence has one; null for
    /// licences SPDX does not list (<c>llama3</c>, <c>other</c>).</summary>
    public string? SpdxId { get; }

    /// <summary>The licence as declared (<c>apache-2.0</c>, <c>llama3.1</c>, or the title of a LICENSE text).</summary>
    public string Name { get; }

    /// <summary>Where it was found: <c>README.md front matter</c>, <c>metadata 'general.license'</c>, <c>LICENSE text</c>.</summary>
    public string Source { get; }

    /// <inheritdoc />
    public override string ToString() => SpdxId ?? Name;
}
