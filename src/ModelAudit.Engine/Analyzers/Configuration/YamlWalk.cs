using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ModelAudit.Engine.Analyzers.Configuration;

/// <summary>
/// One pass over a YAML text with YamlDotNet's parser (events only: nothing is constructed, aliases are not
/// expanded): every scalar with its key path (<c>flavors.python_function.loader_module</c>) and every explicit tag.
/// Bounded in scalars and depth; a syntax error ends the walk with what was read so far.
/// </summary>
internal sealed class YamlWalk
{
    // A config has hundreds of scalars; a dataset or a crafted file has millions, and key paths do not need them.
    private const int MaxScalars = 20_000;

    // Key paths deeper than this are not used by any check; deeper nesting is still parsed for tags.
    private const int MaxPathDepth = 16;

    private YamlWalk()
    {
    }

    public List<(string Path, string Value, long Offset)> Scalars { get; } = new();

    public List<(string Tag, long Offset)> Tags { get; } = new();

    /// <summary>The YAML syntax error that ended the walk early, if any.</summary>
    public string? Error { get; private set; }

    public static YamlWalk Of(string text)
    {
        var walk = new YamlWalk();
        var frames = new Stack<Frame>();
        var parser = new Parser(new StringReader(text));
        try
        {
            while (parser.MoveNext())
            {
                ParsingEvent e = parser.Current!;
                if (e is NodeEvent node && !node.Tag.IsEmpty && !node.Tag.IsNonSpecific)
                {
                    walk.Tags.Add((node.Tag.Value, e.Start.Index));
                }

                switch (e)
                {
                    case Scalar scalar:
                        walk.OnScalar(frames, scalar);
                        break;
                    case MappingStart:
                        frames.Push(new Frame(ChildPath(frames), IsMapping: true));
                        break;
                    case SequenceStart:
                        frames.Push(new Frame(ChildPath(frames), IsMapping: false));
                        break;
                    case MappingEnd or SequenceEnd when frames.Count > 0:
                        frames.Pop();
                        AfterValue(frames);
                        break;
                }
            }
        }
        // YamlDotNet's scanner also throws InvalidOperationException (an internal stack underflow) on some broken
        // documents; for us both mean "this is not YAML a loader accepts".
        catch (Exception ex) when (ex is YamlException or InvalidOperationException)
        {
            walk.Error = ex.Message;
        }

        return walk;
    }

    /// <summary>The first scalar at exactly this key path, if any.</summary>
    public string? Get(string path) => Scalars.FirstOrDefault(s => s.Path == path).Value;

    private void OnScalar(Stack<Frame> frames, Scalar scalar)
    {
        if (frames.Count > 0 && frames.Peek() is { IsMapping: true, Key: null } mapping)
        {
            mapping.Key = scalar.Value;
            return;
        }

        if (Scalars.Count < MaxScalars)
        {
            Scalars.Add((ChildPath(frames) ?? "", scalar.Value, scalar.Start.Index));
        }

        AfterValue(frames);
    }

    // The path of the node that comes next under the current frame.
    private static string? ChildPath(Stack<Frame> frames)
    {
        if (frames.Count == 0)
        {
            return "";
        }

        Frame top = frames.Peek();
        if (top.Path is null || frames.Count > MaxPathDepth)
        {
            return null;
        }

        string step = top.IsMapping ? top.Key ?? "?" : $"[{top.Index}]";
        return top.Path.Length == 0 ? step : top.Path + "." + step;
    }

    private static void AfterValue(Stack<Frame> frames)
    {
        if (frames.Count == 0)
        {
            return;
        }

        Frame top = frames.Peek();
        if (top.IsMapping)
        {
            top.Key = null;
        }
        else
        {
            top.Index++;
        }
    }

    private sealed class Frame
    {
        public Frame(string? path, bool IsMapping)
        {
            Path = path;
            this.IsMapping = IsMapping;
        }

        public string? Path { get; }

        public bool IsMapping { get; }

        public string? Key { get; set; }

        public int Index { get; set; }
    }
}
