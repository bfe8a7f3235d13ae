using System.Buffers;
using System.Text;
using ModelAudit.Engine.Analyzers;
using ModelAudit.Engine.Analyzers.PythonCode;
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
    // Characters repeated from the end of one fragment at the start of the next: a secret or a URL that starts
    // before the boundary is seen whole if it is shorter than this. The longest are PEM and PGP private key blocks
    // (an RSA-4096 key is ~3.3 KB, a PGP secret key block a few KB more) and 2 KB URLs.
    private const int Overlap = 16 << 10;
    private static readonly string[] s_scriptExtensions = { ".py", ".sh", ".bash", ".ps1", ".bat", ".cmd", ".js", ".vbs", ".pl", ".rb" };

    // Prose that may quote code: a README's example is not a script in the archive.
    private static readonly string[] s_documentExtensions = { ".md", ".rst", ".txt", ".html", ".htm", ".ipynb", ".tex" };

    public ScannerInfo Info { get; } = new("text", "Text", new[] { TextFormats.Json, TextFormats.Yaml, TextFormats.Text });

    public Reading? Sniff(SniffInput input) =>
        TextSniffer.IsText(input.Head) ? new Reading(TextSniffer.Classify(input.Head), this, ReadingStrength.Structural) : null;

    public void Scan(ScanInput input, ScanContext context)
    {
        bool script = context.Depth > 0 && IsScript(input);
        if (script && context.Frame.InTorchScript)
        {
            return; // TorchScript code/ is reported once for the archive (MA1019).
        }

        // Python source is judged by what it does, with line numbers (MA1171/MA1172): "the archive carries a
        // script" then says the same thing again, so for such a file it is reported only when that analysis found
        // no execution. Other scripts (shell, batch, Python under another name) are reported here first.
        bool judgedAsPython = script && PythonCodeAnalyzer.IsPythonSource(input.Name);
        if (script && !judgedAsPython)
        {
            ReportScript(input, context);
        }

        int findingsBefore = context.File.Findings.Count;

        // Small members (config files in an archive of thousands) must not pay for a megabyte buffer each.
        // One more than the length, so a file known to fit is read in one short ReadBlock and handed over whole.
        int chunk = (int)Math.Clamp((input.Length ?? ChunkChars) + 1, 1024, ChunkChars);
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

        if (judgedAsPython && !context.File.Findings.Skip(findingsBefore).Any(f => f.Member == context.Member && IsCodeExecution(f.RuleId)))
        {
            ReportScript(input, context);
        }
    }

    private static bool IsCodeExecution(string ruleId) => ruleId is RuleIds.ShippedCodeExecution or RuleIds.ObfuscatedCodeExecution;

    private static void ReportScript(ScanInput input, ScanContext context) =>
        context.Report(RuleIds.ArchiveExecutableMember, $"The archive carries a script, '{input.Name}'.", 0, input.Name);

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
                // The text ended exactly at a chunk: the tail the last fragment left to its successor is handed
                // over on its own, so what starts there is still reported.
                if (carried > 0)
                {
                    context.Analyze(new ContentFragment(new string(buffer, 0, carried), input.Name, ContentKind.FileText, offset, carried, 0));
                }

                break;
            }

            // ReadBlock fills the request unless the text ends, so a short read is the last chunk.
            bool more = read == chunk;
            int total = carried + read;
            int lookahead = more ? Math.Min(Overlap, total / 2) : 0;
            context.Analyze(new ContentFragment(new string(buffer, 0, total), input.Name, ContentKind.FileText, offset, carried, lookahead));
            if (!more)
            {
                break;
            }

            // The tail is repeated at the start of the next fragment, which owns what starts in it.
            Array.Copy(buffer, total - lookahead, buffer, 0, lookahead);
            carried = lookahead;
            offset += total - lookahead;
        }
    }

    private static bool IsScript(ScanInput input) =>
        input.Head.AsSpan().StartsWith("#!"u8)
        || s_scriptExtensions.Contains(Path.GetExtension(input.Name), StringComparer.OrdinalIgnoreCase)
        || (!s_documentExtensions.Contains(Path.GetExtension(input.Name), StringComparer.OrdinalIgnoreCase) && ScriptSniffer.LooksLikePython(input.Head));
}
