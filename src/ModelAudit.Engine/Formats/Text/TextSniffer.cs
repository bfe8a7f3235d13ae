using System.Text.Unicode;

using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Formats.Text;

/// <summary>Recognises UTF-8 text and tells JSON and YAML from other text.</summary>
internal static class TextSniffer
{
    public static bool IsText(ReadOnlySpan<byte> head)
    {
        ReadOnlySpan<byte> h = head.StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }) ? head[3..] : head;
        int control = 0;
        foreach (byte b in h)
        {
            if (b == 0)
            {
                return false;
            }

            if (b < 0x20 && b is not ((byte)'\n' or (byte)'\r' or (byte)'\t' or 0x0C))
            {
                control++;
            }
        }

        if (control > h.Length / 100)
        {
            return false;
        }

        // The head may cut a multi-byte character; allow up to three trailing bytes of it.
        for (int trim = 0; trim <= 3 && trim < h.Length; trim++)
        {
            if (Utf8.IsValid(h[..^trim]))
            {
                return true;
            }
        }

        return Utf8.IsValid(h);
    }

    public static ModelFormat Classify(ReadOnlySpan<byte> head)
    {
        ReadOnlySpan<byte> h = head.StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }) ? head[3..] : head;
        int i = 0;
        while (i < h.Length && h[i] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            i++;
        }

        // '{{', '{%' and '{#' open Jinja2 tags (chat_template.jinja), never a JSON document.
        bool jinjaTag = i + 1 < h.Length && h[i] == (byte)'{' && h[i + 1] is (byte)'{' or (byte)'%' or (byte)'#';
        if (i < h.Length && h[i] is (byte)'{' or (byte)'[' && !jinjaTag)
        {
            return TextFormats.Json;
        }

        if (h[i..].StartsWith("---"u8) || h[i..].StartsWith("%YAML"u8))
        {
            return TextFormats.Yaml;
        }

        return TextFormats.Text;
    }
}
