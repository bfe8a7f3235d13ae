namespace ModelAudit.Engine.Formats.Gguf;

/// <summary>What the header of one GGUF file says, as far as the layout checks need it.</summary>
internal sealed class GgufHeader
{
    public GgufHeader(uint version, long origin)
    {
        Version = version;
        Origin = origin;
    }

    public uint Version { get; }

    /// <summary>Stream position of the file's first byte (0 for a file, the member start inside a container).</summary>
    public long Origin { get; }

    /// <summary>general.alignment, or the default of 32 the specification gives.</summary>
    public ulong Alignment { get; set; } = 32;

    public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);

    public List<GgufTensorInfo> Tensors { get; } = new();
}
