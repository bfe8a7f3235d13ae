using System.Buffers;
using System.Text;
using ModelAudit.Engine.Analyzers;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.Text;

/// <summary>
/// JSON, YAML and other text: read in bounded chunks and handed to the analyzers. Inside archives, scripts
/// (a shebang line, or a script file name) are reported, since model archives should not carry code.
/// </summary>
internal sealed class TextScanner : IFormatScanner
{
    /// <summary>Characters per fragment; a file that fits in one is handed over whole (analyzers parse such configs).</summary>
    internal const int ChunkChars = 1 << 20;
    private const int Overlap = 256;
    private static readonly string[] s_scriptExtensions = { ".py", ".sh", ".bash", ".ps1", ".bat", ".cmd", ".js", ".vbs", ".pl", ".rb" };

    // Prose that may quote code: a README's example is not a script in the archive.
    private static readonly string[] s_documentExtensions = { ".md", ".rst", ".txt", ".html", ".htm", ".ipynb", ".tex" };

    public ScannerInfo Info { get; } = new("text", "Text", new[] { TextFormats.Json, TextFormats.Yaml, TextFormats.Text });

    public Reading? Sniff(SniffInput input) =>
        TextSniffer.IsText(input.Head) ? new Reading(TextSniffer.Classify(input.Head), this, ReadingStrength.Structural) : null;

    public void Scan(ScanInput input, ScanContext context)
    {
        if (context.Depth > 0 && IsScript(input))
        {
            if (context.Frame.InTorchScript)
            {
                return; // TorchScript code/ is reported once for the archive (MA1019).
            }

            context.Report(RuleIds.ArchiveExecutableMember, $"The archive carries a script, '{input.Name}'.", 0, input.Name);
        }

        // Small members (config files in an archive of thousands) must not pay for a megabyte buffer each.
        int chunk = (int)Math.Clamp(input.Length ?? ChunkChars, 1024, ChunkChars);
        using var reader = new StreamReader(input.Stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: Math.Min(chunk, 1 << 16), leaveOpen: true);
        char[] buffer = ArrayPool<char>.Shared.Rent(chunk + Overlap);
        try
        {
            Analyze(reader, buffer, chunk, input, context);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private static void Analyze(StreamReader reader, char[] buffer, int chunk, ScanInput input, ScanContext context)
    {
        int carried = 0;
        long offset = 0;
        while (true)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            int read = reader.ReadBlock(buffer, carried, chunk);
            if (read == 0)
            {
                break;
            }

            int total = carried + read;
            context.Analyze(new ContentFragment(new string(buffer, 0, total), input.Name, ContentKind.FileText, offset));

            // Keep a tail so a secret split across two chunks is still seen whole.
            carried = Math.Min(Overlap, total);
            Array.Copy(buffer, total - carried, buffer, 0, carried);
            offset += read;
        }
    }

    private static bool IsScript(ScanInput input) =>
        input.Head.AsSpan().StartsWith("#!"u8)
        || s_scriptExtensions.Contains(Path.GetExtension(input.Name), StringComparer.OrdinalIgnoreCase)
        || (!s_documentExtensions.Contains(Path.GetExtension(input.Name), StringComparer.OrdinalIgnoreCase) && ScriptSniffer.LooksLikePython(input.Head));
}
