using static ModelAudit.Engine.Rules.RuleIds;

namespace ModelAudit.Engine.Rules;

public static partial class RuleCatalog
{
    private const string Reexport = "Re-export the model with the framework's own tools from a trusted source.";

    static partial void AddRuntimeRules(List<ModelRule> rules) => rules.AddRange(new[]
    {
        Rule(PmmlCodeExtension, "PMML extension carrying code", Severity.Warning, FindingCategory.CodeExecution,
            "A PMML <Extension> element carries script-like content. PMML itself is declarative; vendor runtimes that honour such extensions run the code when the model is evaluated.",
            Review),
        Rule(CheckpointObjectProtocolKey, "Python object-protocol key in a checkpoint", Severity.Warning, FindingCategory.CodeExecution,
            "A MessagePack checkpoint (Flax/JAX) or the JSON metadata of an Orbax checkpoint has a key such as __reduce__, __class__, __code__ or __globals__. Flax and Orbax restore plain trees of arrays; such keys exist to drive a custom loader into rebuilding Python objects.",
            Review),

        Rule(TFLiteCustomOperator, "TFLite custom operator", Severity.Warning, FindingCategory.FrameworkOperation,
            "The TFLite model uses a custom operator: the interpreter runs whatever native kernel the application registers under that name, so what it does is not in the file.",
            Review),
        Rule(TFLiteFlexOperator, "TFLite Flex (TensorFlow) operator", Severity.Info, FindingCategory.FrameworkOperation,
            "The TFLite model uses a Flex op: the TensorFlow delegate runs the named TensorFlow kernel. Ordinary math ops are common in converted models.",
            "Check that the named TensorFlow ops are expected for this model."),
        Rule(TFLiteHostFlexOperator, "TFLite Flex operator that reaches the host", Severity.Critical, FindingCategory.FrameworkOperation,
            "A Flex op names a TensorFlow kernel that reads or writes files, runs Python or otherwise reaches the host (ReadFile, WriteFile, PyFunc, …); the Flex delegate runs it when the model is invoked.",
            DoNotLoad),
        Rule(OpenVinoCustomLayer, "OpenVINO custom layer", Severity.Warning, FindingCategory.FrameworkOperation,
            "An OpenVINO IR layer's version is not a standard opset (opsetN): it is implemented by an extension library the application loads, native code the file does not contain.",
            Review),
        Rule(OpenVinoExtensionLibrary, "OpenVINO extension library reference", Severity.Warning, FindingCategory.FrameworkOperation,
            "An OpenVINO IR attribute names a native library (.so, .dll, .dylib) or an implementation path; loading that library runs its code.",
            Review),

        Rule(XmlDocumentTypeDeclaration, "XML document type declaration", Severity.Warning, FindingCategory.Integrity,
            "The XML model file declares a DTD or entities. Model files never need one; DTDs are how XXE and entity-expansion attacks reach XML parsers. ModelAudit never processes it.",
            "Remove the DOCTYPE; re-export the model with its own tools."),
        Rule(TFLiteStructureInvalid, "TFLite structure invalid", Severity.Warning, FindingCategory.Integrity,
            "The TFLite flatbuffer has offsets, buffers or tables outside the file or not where the schema puts them; interpreters without full verification read out of bounds on such files.",
            Reexport),
        Rule(OpenVinoWeightsOutOfBounds, "OpenVINO weights out of bounds", Severity.Warning, FindingCategory.Integrity,
            "A Const layer's offset and size point past the end of the IR's .bin weights file.",
            Reexport),
        Rule(OpenVinoWeightsMissing, "OpenVINO weights file missing", Severity.Info, FindingCategory.Integrity,
            "The IR has Const layers but no .bin file beside it, so their offsets could not be checked.",
            "Scan the .xml together with its .bin file."),
        Rule(TreeModelStructureInvalid, "Tree model structure invalid", Severity.Warning, FindingCategory.Integrity,
            "An XGBoost or LightGBM model does not have the structure its format defines: node arrays of different lengths, child indices outside the tree, counts that disagree, or missing sections.",
            Reexport),
        Rule(MsgpackStructureInvalid, "MessagePack checkpoint structure invalid", Severity.Warning, FindingCategory.Integrity,
            "A MessagePack checkpoint is truncated, has bytes after its root object, or is not the map of arrays Flax writes.",
            Reexport),
        Rule(CatBoostStructureInvalid, "CatBoost structure invalid", Severity.Warning, FindingCategory.Integrity,
            "A CatBoost .cbm file's core section size or flatbuffer offsets are outside the file.",
            Reexport),
        Rule(ExecuTorchStructureInvalid, "ExecuTorch program structure invalid", Severity.Warning, FindingCategory.Integrity,
            "An ExecuTorch .pte program's flatbuffer root, extended header, program size or segment offset lies outside the file or contradicts the others. The runtime refuses such a program, or it was altered after it was exported.",
            Reexport),
    });
}
