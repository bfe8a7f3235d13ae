using ModelAudit.Engine.Analyzers;
using ModelAudit.Engine.Formats.Protobuf;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Formats.CoreML;

/// <summary>
/// One pass over a Core ML <c>Model</c> (Model.proto, NeuralNetwork.proto): custom models (555), custom layers
/// (NeuralNetworkLayer.custom = 500) in every neural network including branch (605) and loop (615) bodies, pipelines
/// of models (200, 201, 202) at any depth, and linked models (556) whose file name leaves the package. Description
/// metadata goes to the analyzers; weights are skipped by length.
/// </summary>
internal sealed class CoreMLModelWalker
{
    private const int MaxNameBytes = 4096;

    // Metadata values are prose (descriptions, licences); longer ones are cut.
    private const int MaxTextBytes = 1 << 20;

    // NeuralNetwork, NeuralNetworkClassifier and NeuralNetworkRegressor all keep their layers in field 1.
    private static readonly HashSet<int> s_neuralNetworks = new() { 500, 403, 303 };

    private readonly ProtoReader _reader;
    private readonly ScanContext _context;

    public CoreMLModelWalker(ProtoReader reader, ScanContext context)
    {
        _reader = reader;
        _context = context;
    }

    public void WalkModel(string scope)
    {
        while (_reader.Next())
        {
            int field = _reader.Field;
            if (_reader.Wire != ProtoWireType.LengthDelimited)
            {
                _reader.SkipField();
                continue;
            }

            long at = _reader.TagOffset;
            switch (field)
            {
                case 2:
                    _reader.InMessage(WalkDescription);
                    break;
                case 200 or 201:
                    _reader.InMessage(() => WalkFieldAs(1, () => WalkPipeline(scope)));
                    break;
                case 202:
                    _reader.InMessage(() => WalkPipeline(scope));
                    break;
                case 555:
                    string className = InMessageString(10);
                    _context.Report(RuleIds.CoreMLCustomCode,
                        $"The {scope} is a custom model: Core ML runs the application's class '{className}' (MLCustomModel) to evaluate it.", at, className);
                    break;
                case 556:
                    _reader.InMessage(() => WalkFieldAs(1, () => WalkLinkedModelFile(scope, at)));
                    break;
                default:
                    if (s_neuralNetworks.Contains(field))
                    {
                        _reader.InMessage(() => WalkNeuralNetwork(scope));
                    }
                    else
                    {
                        _reader.SkipField();
                    }

                    break;
            }
        }
    }

    /// <summary>Walks only field <paramref name="number"/> of the current message, as a message, with <paramref name="body"/>.</summary>
    private void WalkFieldAs(int number, Action body)
    {
        while (_reader.Next())
        {
            if (_reader.Field == number && _reader.Wire == ProtoWireType.LengthDelimited)
            {
                _reader.InMessage(body);
            }
            else
            {
                _reader.SkipField();
            }
        }
    }

    private string InMessageString(int number)
    {
        string value = "";
        long token = _reader.BeginMessage();
        while (_reader.Next())
        {
            if (_reader.Field == number && _reader.Wire == ProtoWireType.LengthDelimited)
            {
                value = _reader.ReadString(MaxNameBytes);
            }
            else
            {
                _reader.SkipField();
            }
        }

        _reader.EndMessage(token);
        return value;
    }

    // Pipeline: models = 1 (repeated Model).
    private void WalkPipeline(string scope)
    {
        int index = 0;
        while (_reader.Next())
        {
            if (_reader.Field == 1 && _reader.Wire == ProtoWireType.LengthDelimited)
            {
                string inner = $"{scope} › pipeline model {index++}";
                _reader.InMessage(() => WalkModel(inner));
            }
            else
            {
                _reader.SkipField();
            }
        }
    }

    // ModelDescription.metadata = 100: shortDescription = 1, versionString = 2, author = 3, license = 4, userDefined = 100.
    private void WalkDescription()
    {
        WalkFieldAs(100, () =>
        {
            while (_reader.Next())
            {
                long at = _reader.TagOffset;
                switch (_reader.Field, _reader.Wire)
                {
                    case (1 or 2 or 3 or 4, ProtoWireType.LengthDelimited):
                        string key = _reader.Field switch { 1 => "shortDescription", 2 => "versionString", 3 => "author", _ => "license" };
                        _context.Analyze(new ContentFragment(_reader.ReadString(MaxTextBytes), "metadata." + key, ContentKind.Metadata, at));
                        break;
                    case (100, ProtoWireType.LengthDelimited):
                        string name = "", value = "";
                        long token = _reader.BeginMessage();
                        while (_reader.Next())
                        {
                            if (_reader.Field is 1 or 2 && _reader.Wire == ProtoWireType.LengthDelimited)
                            {
                                string s = _reader.ReadString(MaxTextBytes);
                                (name, value) = _reader.Field == 1 ? (s, value) : (name, s);
                            }
                            else
                            {
                                _reader.SkipField();
                            }
                        }

                        _reader.EndMessage(token);
                        _context.Analyze(new ContentFragment(value, "metadata.userDefined." + name, ContentKind.Metadata, at));
                        break;
                    default:
                        _reader.SkipField();
                        break;
                }
            }
        });
    }

    // NeuralNetwork.layers = 1; NeuralNetworkLayer: name = 1, custom = 500 (className = 10), branch = 605
    // (ifBranch = 1, elseBranch = 2), loop = 615 (conditionNetwork = 3, bodyNetwork = 4).
    private void WalkNeuralNetwork(string scope)
    {
        while (_reader.Next())
        {
            if (_reader.Field == 1 && _reader.Wire == ProtoWireType.LengthDelimited)
            {
                _reader.InMessage(() => WalkLayer(scope));
            }
            else
            {
                _reader.SkipField();
            }
        }
    }

    private void WalkLayer(string scope)
    {
        string name = "";
        while (_reader.Next())
        {
            long at = _reader.TagOffset;
            switch (_reader.Field, _reader.Wire)
            {
                case (1, ProtoWireType.LengthDelimited):
                    name = _reader.ReadString(MaxNameBytes);
                    break;
                case (500, ProtoWireType.LengthDelimited):
                    string className = InMessageString(10);
                    _context.Report(RuleIds.CoreMLCustomCode,
                        $"Layer '{name}' of the {scope} is a custom layer: Core ML runs the application's class '{className}' (MLCustomLayer) for it.", at, className);
                    break;
                case (605 or 615, ProtoWireType.LengthDelimited):
                    string inner = $"{scope} › layer '{name}'";
                    _reader.InMessage(() =>
                    {
                        while (_reader.Next())
                        {
                            if (_reader.Wire == ProtoWireType.LengthDelimited && _reader.Field is 1 or 2 or 3 or 4)
                            {
                                _reader.InMessage(() => WalkNeuralNetwork(inner));
                            }
                            else
                            {
                                _reader.SkipField();
                            }
                        }
                    });
                    break;
                default:
                    _reader.SkipField();
                    break;
            }
        }
    }

    // LinkedModelFile: linkedModelFileName = 1, linkedModelSearchPath = 2, each a StringParameter (defaultValue = 1).
    private void WalkLinkedModelFile(string scope, long at)
    {
        while (_reader.Next())
        {
            if (_reader.Field is 1 or 2 && _reader.Wire == ProtoWireType.LengthDelimited)
            {
                bool isName = _reader.Field == 1;
                string path = InMessageString(1);
                CheckLinkedPath(scope, at, path, isName);
            }
            else
            {
                _reader.SkipField();
            }
        }
    }

    // Search paths are ':'-separated and may use $BUNDLE_MAIN-style variables, which resolve inside the app.
    private void CheckLinkedPath(string scope, long at, string path, bool isName)
    {
        IEnumerable<string> parts = isName ? new[] { path } : path.Split(':').Where(p => !p.StartsWith('$'));
        foreach (string part in parts)
        {
            if (part.Length > 0 && ModelRelativePath.Classify(part) != LocationEscape.None)
            {
                _context.Report(RuleIds.CoreMLPathEscape,
                    $"The {scope} links to a model through {(isName ? "file name" : "search path")} '{part}', which leaves the model's folder.", at, part);
            }
        }
    }
}
