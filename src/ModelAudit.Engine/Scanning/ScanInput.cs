using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Scanning;

/// <summary>What a scanner gets: the stream at its start, the bytes already peeked, and what detection decided.</summary>
internal sealed class ScanInput
{
    public ScanInput(Stream stream, byte[] head, ModelFormat format, string name, long? length)
    {
        Stream = stream;
        Head = head;
        Format = format;
        Name = name;
        Length = length;
    }

    /// <summary>The content, positioned at its first byte. Seekable for local files and stored members.</summary>
    public Stream Stream { get; }

    /// <summary>The first bytes (up to the detector's peek size).</summary>
    public byte[] Head { get; }

    /// <summary>The detected format.</summary>
    public ModelFormat Format { get; }

    /// <summary>File or member name (for extension hints).</summary>
    public string Name { get; }

    /// <summary>Length when known.</summary>
    public long? Length { get; }
}
