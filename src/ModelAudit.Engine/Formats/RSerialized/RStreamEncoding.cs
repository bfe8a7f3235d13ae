namespace ModelAudit.Engine.Formats.RSerialized;

/// <summary>How a serialization stream writes numbers and strings: the two bytes that open it.</summary>
internal enum RStreamEncoding
{
    /// <summary>"X\n": XDR, big-endian (saveRDS's default).</summary>
    Xdr,

    /// <summary>"B\n": the writer's native byte order (little-endian on every platform R runs on today).</summary>
    Binary,

    /// <summary>"A\n": text, one number or string per whitespace-separated word (ascii = TRUE).</summary>
    Ascii,
}
