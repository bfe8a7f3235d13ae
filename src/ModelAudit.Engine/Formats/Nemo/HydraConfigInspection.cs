using System.Text;
using ModelAudit.Engine.Containers;
using ModelAudit.Engine.Formats.Pickle;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ModelAudit.Engine.Formats.Nemo;

/// <summary>
/// The YAML configs of a NeMo archive, read as parser events (nothing is constructed, aliases are never expanded):
/// every <c>_target_</c> is a callable hydra.utils.instantiate imports and calls when the model is restored
/// (CVE-2025-23304). Denylisted targets are Critical; targets outside the libraries NeMo models use are Info.
/// </summary>
internal sealed class HydraConfigInspection : ArchiveInspection
{
    // Real NeMo configs nest a few levels (model → encoder → layers); deeper YAML is crafted.
    private const int MaxDepth = 128;

    private const string TargetKey = "_target_";

    // Libraries whose classes NeMo configs instantiate; a denylisted target under them is still reported.
    private static readonly string[] s_knownPrefixes =
    {
        "nemo.", "nemo_toolkit.", "pytorch_lightning.", "lightning.", "torch.", "torchaudio.", "transformers.", "omegaconf.",
        "hydra.", "megatron.", "apex.", "numpy.", "dataclasses.", "sentencepiece.", "tokenizers.",
    };

    public override bool Wants(string memberName) =>
        memberName.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || memberName.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);

    public override void Inspect(string memberName, byte[] content, ScanContext memberContext)
    {
        var parser = new Parser(new StringReader(Encoding.UTF8.GetString(content)));
        // One entry per open collection: null for a sequence; for a mapping, whether its next scalar is a key.
        var open = new Stack<bool?>();
        string? key = null;
        try
        {
            while (parser.MoveNext())
            {
                memberContext.CancellationToken.ThrowIfCancellationRequested();
                switch (parser.Current)
                {
                    case MappingStart or SequenceStart:
                        if (open.Count >= MaxDepth)
                        {
                            throw new ScanLimitExceededException(nameof(MaxDepth), $"'{memberName}' nests deeper than {MaxDepth} levels");
                        }

                        open.Push(parser.Current is MappingStart ? true : null);
                        key = null;
                        break;
                    case MappingEnd or SequenceEnd:
                        open.Pop();
                        ValueDone(open);
                        key = null;
                        break;
                    case Scalar scalar when open.TryPeek(out bool? expectsKey) && expectsKey == true:
                        key = scalar.Value;
                        open.Pop();
                        open.Push(false);
                        break;
                    case Scalar scalar:
                        if (key == TargetKey)
                        {
                            Judge(scalar.Value, memberName, scalar.Start.Index, memberContext);
                        }

                        ValueDone(open);
                        key = null;
                        break;
                    case AnchorAlias:
                        ValueDone(open);
                        key = null;
                        break;
                }
            }
        }
        // YamlDotNet's parser also fails with InvalidOperationException on some malformed streams (as YamlWalk knows).
        catch (Exception ex) when (ex is YamlException or InvalidOperationException)
        {
            throw new ModelFormatException($"'{memberName}' is not valid YAML: {ex.Message}");
        }
    }

    // After a value inside a mapping (a scalar, an alias or a whole collection), its next scalar is a key again.
    private static void ValueDone(Stack<bool?> open)
    {
        if (open.TryPeek(out bool? expectsKey) && expectsKey == false)
        {
            open.Pop();
            open.Push(true);
        }
    }

    private static void Judge(string target, string memberName, long offset, ScanContext context)
    {
        int dot = target.LastIndexOf('.');
        string module = dot > 0 ? target[..dot] : "builtins";
        string name = dot > 0 ? target[(dot + 1)..] : target;
        if (PickleDenylist.Match(module, name) is { } danger)
        {
            context.Report(RuleIds.HydraDangerousTarget,
                $"'{memberName}' has _target_: {target} ({danger.Kind} via {danger.Entry}); restoring the model imports and calls it.", offset, target);
            return;
        }

        if (!s_knownPrefixes.Any(p => target.StartsWith(p, StringComparison.Ordinal)))
        {
            context.Report(RuleIds.HydraUnknownTarget, $"'{memberName}' has _target_: {target}, outside the libraries NeMo models use.", offset, target);
        }
    }
}
