using System.Xml;

namespace ModelAudit.Engine.Formats.Xml;

/// <summary>
/// The one way the engine reads XML (PMML, OpenVINO IR, and any later XML format): DTDs are never processed, no
/// resolver can reach a file or URL, and the document is bounded. A DTD is found by <see cref="Prolog"/> so the
/// scanner can report it; the reader itself skips it, so a declared entity used later is a parse error, never an
/// expansion.
/// </summary>
internal static class SafeXml
{
    private static readonly byte[] s_utf8Bom = { 0xEF, 0xBB, 0xBF };

    /// <summary>An XmlReader over <paramref name="stream"/> that ignores DTDs, resolves nothing and stops after
    /// <paramref name="maxCharacters"/> characters.</summary>
    public static XmlReader Create(Stream stream, long maxCharacters) => XmlReader.Create(stream, new XmlReaderSettings
    {
        DtdProcessing = DtdProcessing.Ignore,
        XmlResolver = null,
        MaxCharactersInDocument = maxCharacters,

        // Ignore never expands entities; a non-zero cap (0 means unlimited) keeps that true if the mode changes.
        MaxCharactersFromEntities = 1024,
        IgnoreWhitespace = true,
        CloseInput = false,
    });

    /// <summary>True for the reader's failures on malformed input: its XmlException, and the
    /// ArgumentOutOfRangeException that XmlTextReaderImpl throws from its own buffer copy when a long run of bytes
    /// that are not UTF-8 sits inside the XML declaration (found by the fuzzer; the document is not well-formed).</summary>
    public static bool IsMalformed(Exception ex) => ex is XmlException
        || (ex is ArgumentOutOfRangeException && ex.StackTrace?.Contains("System.Xml.XmlTextReaderImpl", StringComparison.Ordinal) == true);

    /// <summary>Reads the prolog in <paramref name="head"/>: the root element's local name (null when the head
    /// ends before it) and whether a DOCTYPE or entity declaration precedes it. Never throws.</summary>
    public static (string? Root, bool HasDoctype) Prolog(ReadOnlySpan<byte> head)
    {
        int pos = head.StartsWith(s_utf8Bom) ? 3 : 0;
        bool doctype = false;
        while (pos < head.Length)
        {
            byte b = head[pos];
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                pos++;
                continue;
            }

            if (b != (byte)'<' || pos + 1 >= head.Length)
            {
                return (null, doctype);
            }

            ReadOnlySpan<byte> rest = head[pos..];
            int end;
            if (rest.StartsWith("<?"u8))
            {
                end = rest.IndexOf("?>"u8) is int pi and >= 0 ? pi + 1 : -1;
            }
            else if (rest.StartsWith("<!--"u8))
            {
                end = rest.IndexOf("-->"u8) is int ci and >= 0 ? ci + 2 : -1;
            }
            else if (rest.StartsWith("<!"u8))
            {
                // <!DOCTYPE name [ internal subset ]>: skip to the '>' after the subset's closing bracket.
                doctype = true;
                int bracket = rest.IndexOf((byte)'[');
                int close = rest.IndexOf((byte)'>');
                end = bracket >= 0 && bracket < close ? IndexAfter(rest, bracket, "]"u8) : close;
                if (end >= 0)
                {
                    end = rest[end..].IndexOf((byte)'>') is int gt and >= 0 ? end + gt : -1;
                }
            }
            else
            {
                return (ElementName(rest[1..]), doctype);
            }

            if (end < 0)
            {
                return (null, doctype);
            }

            // end is the index of the construct's last byte ('>').
            pos += end + 1;
        }

        return (null, doctype);
    }

    private static int IndexAfter(ReadOnlySpan<byte> span, int start, ReadOnlySpan<byte> what) =>
        span[start..].IndexOf(what) is int i and >= 0 ? start + i : -1;

    // The local name of an element start tag: letters up to whitespace, '>' or '/', without a namespace prefix.
    private static string? ElementName(ReadOnlySpan<byte> tag)
    {
        int length = tag.IndexOfAny(" \t\r\n/>"u8);
        if (length <= 0)
        {
            return null;
        }

        ReadOnlySpan<byte> name = tag[..length];
        int colon = name.LastIndexOf((byte)':');
        return System.Text.Encoding.UTF8.GetString(colon >= 0 ? name[(colon + 1)..] : name);
    }
}
