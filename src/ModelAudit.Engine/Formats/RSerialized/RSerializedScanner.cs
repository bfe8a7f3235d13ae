using System.Globalization;
using ModelAudit.Engine.Analyzers;
using ModelAudit.Engine.Detection;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.RSerialized;

/// <summary>
/// R's serialization format, as readRDS, unserialize and load read it: an optional workspace magic (RDX3, RDB3, RDA3
/// and their version 2 forms), the stream's encoding (XDR, native binary or ASCII), its version header, then one item
/// walked by <see cref="RItemWalker"/>. Compressed files (gzip, bzip2, xz: saveRDS's defaults) reach this scanner as
/// the decompressed member of the compression scanner. Loading an R object runs code in a few ways, each reported:
/// unevaluated promises (CVE-2024-27322), active bindings, functions and call objects that run commands or reach the
/// network, workspace startup hooks, and the package namespaces and ALTREP classes unserialize loads.
/// </summary>
internal sealed class RSerializedScanner : IFormatScanner
{
    private const int WorkspaceMagicLength = 5;

    // Strings of code handed to the analyzers, each at most the walker's kept length.
    private const int MaxAnalyzedStrings = 256;

    public ScannerInfo Info { get; } = new("rserialized", "R serialization", new[] { RFormats.RSerialized });

    public Reading? Sniff(SniffInput input) =>
        Encoding(input.Head, WorkspaceOffset(input.Head)) is not null ? new Reading(RFormats.RSerialized, this, ReadingStrength.Structural) : null;

    public void Scan(ScanInput input, ScanContext context)
    {
        int offset = WorkspaceOffset(input.Head);
        if (Encoding(input.Head, offset) is not { } encoding)
        {
            throw new NotThisFormatException("no R serialization header");
        }

        var reader = new RStreamReader(input.Stream, context.CancellationToken);
        for (int i = 0; i < offset + 2; i++)
        {
            reader.Byte(); // the workspace magic and the encoding's two bytes
        }

        reader.Encoding = encoding;
        int version = reader.Int();
        reader.Int(); // the writer's R version
        reader.Int(); // the oldest R version that reads it
        if (version == 3)
        {
            int length = reader.Int();
            if (length is < 0 or > 256)
            {
                throw new ModelFormatException($"an R native-encoding name of {length} bytes", reader.Position);
            }

            reader.String(length, 256);
        }

        var facts = new RWalkFacts();
        try
        {
            new RItemWalker(reader, facts, workspace: offset > 0).Walk();
        }
        finally
        {
            // What the walk saw before a limit or malformed data stopped it is reported; the failure itself is the
            // engine's Inconclusive finding.
            Report(facts, context);
        }
    }

    private static void Report(RWalkFacts facts, ScanContext context)
    {
        foreach (RPromiseRecord promise in facts.Promises)
        {
            string names = promise.Symbols.Count == 0 ? "" : $" naming {string.Join(", ", promise.Symbols)}";
            string what = promise.TopLevel ? "The file's object is an unevaluated promise" : $"An unevaluated promise{Of(promise.Binding)}";

            // A promise of an unforced default argument, captured in a function's environment, is common in model
            // objects (glm's family keeps one for 'link'): one whose expression is a constant or a variable, or a
            // call of nothing graded, runs nothing that matters. The CVE's payloads call a command or hide the call.
            bool dangerous = promise.NamesDangerous || (promise.TopLevel && promise.HasCall);
            context.Report(dangerous ? RuleIds.RUnevaluatedPromise : RuleIds.RPromise,
                $"{what}: its expression{names} runs the first time the object is used after readRDS or load.",
                promise.Offset, promise.Binding ?? "promise", dangerous ? new[] { "CVE-2024-27322" } : null);
        }

        foreach (RActiveBindingRecord active in facts.ActiveBindings)
        {
            // setRefClass makes every typed field an active binding of methods' own checking function, which names
            // nothing graded; a payload's function calls a command or hides the call (get, eval, do.call).
            string rule = active.NamesDangerous ? RuleIds.RActiveBinding : RuleIds.RPlainActiveBinding;
            context.Report(rule, $"The variable '{active.Binding}' is an active binding: reading it calls the function stored for it.", active.Offset, active.Binding);
        }

        foreach (RCallSite site in facts.Calls.Values.OrderBy(s => s.Offset))
        {
            bool fromStrings = RCallGrades.CodeFromStrings.Contains(site.Symbol);
            if (fromStrings && site.Context == RCodeContext.Language)
            {
                continue; // a quoted parse(...) kept as data runs nothing; the promise and function cases are reported
            }

            string where = site.Context switch
            {
                RCodeContext.Promise => "a promise's expression",
                RCodeContext.Function => "a serialized function",
                _ => "a call object kept as data",
            };
            string times = site.Count > 1 ? string.Create(CultureInfo.InvariantCulture, $" ({site.Count} uses)") : "";
            string message = $"{where}{Of(site.Binding)} calls {site.Symbol}{times}.";
            string rule = fromStrings ? RuleIds.RCodeFromStrings
                : RCallGrades.Network.Contains(site.Symbol) ? RuleIds.RNetworkCall
                : site.Context == RCodeContext.Language ? RuleIds.RExecutionInCallObject : RuleIds.RExecutionInFunction;
            context.Report(rule, char.ToUpperInvariant(message[0]) + message[1..], site.Offset, site.Symbol);
        }

        foreach ((string name, long at) in facts.StartupHooks)
        {
            context.Report(RuleIds.RStartupHook, $"The workspace defines {name}: R calls it when it starts in (or quits from) the workspace's folder.", at, name);
        }

        foreach (string ns in facts.Namespaces.Where(n => !RCallGrades.BaseNamespaces.Contains(n)).Take(RWalkFacts.MaxKept))
        {
            context.Report(RuleIds.RNamespaceLoad, $"unserialize loads the namespace of package '{ns}', running its load hooks.", null, ns);
        }

        foreach (string altrep in facts.AltrepClasses)
        {
            context.Report(RuleIds.RAltrepClass, $"An ALTREP vector of class {altrep}: unserialize hands its state to that class's own method.", null, altrep);
        }

        foreach (string text in facts.CodeStrings.Take(MaxAnalyzedStrings))
        {
            context.Analyze(new ContentFragment(text, "R code string", ContentKind.Metadata));
        }
    }

    private static string Of(string? binding) => binding is null ? "" : $" in '{binding}'";

    // save() writes a workspace magic before the stream: RD, then X/B/A for the encoding, then the version, then \n.
    private static int WorkspaceOffset(byte[] head) =>
        head.Length >= WorkspaceMagicLength && head[0] == 'R' && head[1] == 'D' && head[2] is (byte)'X' or (byte)'B' or (byte)'A'
            && head[3] is (byte)'2' or (byte)'3' && head[4] == '\n' ? WorkspaceMagicLength : 0;

    // The stream's encoding, from its two opening bytes and a version word of 2 or 3 after them.
    private static RStreamEncoding? Encoding(byte[] head, int at)
    {
        if (head.Length < at + 6 || head[at + 1] != '\n')
        {
            return null;
        }

        ReadOnlySpan<byte> version = head.AsSpan(at + 2, 4);
        return head[at] switch
        {
            (byte)'X' when version.SequenceEqual(new byte[] { 0, 0, 0, 2 }) || version.SequenceEqual(new byte[] { 0, 0, 0, 3 }) => RStreamEncoding.Xdr,
            (byte)'B' when version.SequenceEqual(new byte[] { 2, 0, 0, 0 }) || version.SequenceEqual(new byte[] { 3, 0, 0, 0 }) => RStreamEncoding.Binary,
            (byte)'A' when version[0] is (byte)'2' or (byte)'3' && version[1] == '\n' => RStreamEncoding.Ascii,
            _ => null,
        };
    }
}
