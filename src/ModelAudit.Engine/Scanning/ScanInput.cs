using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Scanning;

/// <summary>What a scanner gets: the stream at its start, the bytes already peeked, and the reading being scanned.</summary>
internal sealed class ScanInput
{
    public ScanInput(Stream stream, byte[] head, Reading reading, string name, long? length, bool alternatives = false)
    {
        Alternatives = alternatives;
        Stream = stream;
        Head = head;
        Reading = reading;
        Name = name;
        Length = length;
    }

    /// <summary>The content, positioned at its first byte. Seekable for local files and stored members.</summary>
    public Stream Stream { get; }

    /// <summary>The first bytes (up to the detector's peek size).</summary>
    public byte[] Head { get; }

    /// <summary>The reading being scanned.</summary>
    public Reading Reading { get; }

    /// <summary>The format of that reading.</summary>
    public ModelFormat Format => Reading.Format;

    /// <summary>File or member name (for extension hints).</summary>
    public string Name { get; }

    /// <summary>Length when known.</summary>
    public long? Length { get; }

    /// <summary>True when other readings of the same bytes are scanned too: a plausible reading that finds nothing a
    /// loader of its format would act on can then step aside (<see cref="NotThisFormatException"/>).</summary>
    public bool Alternatives { get; }
}
