namespace ModelAudit.Engine.Analyzers.Configuration;

/// <summary>
/// What a configuration reader (<see cref="TomlReader"/>, <see cref="IniReader"/>) saw: every scalar value with its
/// key path (<c>tool.loader.trust_remote_code</c>, <c>default.aws_access_key_id</c>) and where it starts, and the
/// syntax error that stopped the reader, if any (what was read before it is kept).
/// </summary>
internal sealed class ConfigDocument
{
    // A config has hundreds of values; a dataset or a crafted file has millions, and no check needs them all.
    public const int MaxScalars = 20_000;

    public List<(string Path, string Value, long Offset)> Scalars { get; } = new();

    /// <summary>Why the file is not valid in its language (the loader would refuse it), or null.</summary>
    public string? Error { get; set; }

    public void Add(string path, string value, long offset)
    {
        if (Scalars.Count < MaxScalars)
        {
            Scalars.Add((path, value, offset));
        }
    }
}
