using static ModelAudit.Engine.Rules.RuleIds;

namespace ModelAudit.Engine.Rules;

/// <summary>Rules of the graph formats: ONNX, TensorFlow, PaddlePaddle, Core ML and protobuf classification.</summary>
public static partial class RuleCatalog
{
    private const string GraphReview = "Review the graph's operators and where the model came from; run it only in an isolated environment if it must be used.";

    static partial void AddGraphRules(List<ModelRule> rules)
    {
        rules.Add(Rule(TensorFlowPythonOp, "TensorFlow Python callback op", Severity.Critical, FindingCategory.CodeExecution,
            "A TensorFlow graph (main graph or a function of its library) has a PyFunc, PyFuncStateless or EagerPyFunc node: running the graph calls a Python function of the loading process, registered under the node's token. Whoever controls that process's Python code or its registration controls what runs.",
            DoNotLoad));
        rules.Add(Rule(OnnxPythonOp, "ONNX Python operator", Severity.Critical, FindingCategory.CodeExecution,
            "An ONNX node is a PyOp (ONNX Runtime's language interop, which imports the module and calls the function its attributes name) or a PythonOp/PythonOpGrad (ORTModule's call into a Python autograd function). Running the model runs Python code.",
            DoNotLoad));
        rules.Add(Rule(PaddlePythonOp, "PaddlePaddle py_func operator", Severity.Critical, FindingCategory.CodeExecution,
            "A PaddlePaddle program has a py_func op: executing the program calls a Python callable of the loading process.",
            DoNotLoad));

        rules.Add(Rule(TensorFlowFileReadOp, "TensorFlow file-reading op", Severity.Warning, FindingCategory.FrameworkOperation,
            "A TensorFlow graph has an op that reads host files (ReadFile, MatchingFiles, file readers and datasets, checkpoint restore outside the standard saver). Served models can leak the files they read through their outputs.",
            GraphReview));
        rules.Add(Rule(TensorFlowFileWriteOp, "TensorFlow file-writing op", Severity.Critical, FindingCategory.FrameworkOperation,
            "A TensorFlow graph has an op that writes host files (WriteFile, checkpoint save or merge outside the standard saver, TFRecord or dataset writers, summary writers, PrintV2 to a file). Running the graph can plant or overwrite files.",
            DoNotLoad));
        rules.Add(Rule(TensorFlowHostOp, "TensorFlow host-reaching op", Severity.Warning, FindingCategory.FrameworkOperation,
            "A TensorFlow graph has an op that reaches beyond the graph: debug ops streaming tensors to debug URLs, tf.data service datasets connecting to a dispatcher, collective ops talking to other workers, or Abort ending the process.",
            GraphReview));
        rules.Add(Rule(OnnxCustomDomain, "ONNX custom operator domain", Severity.Warning, FindingCategory.FrameworkOperation,
            "An ONNX node uses an operator outside the standard domains (ai.onnx, ai.onnx.ml, ai.onnx.training, ai.onnx.preview.training) and ONNX Runtime's com.microsoft domains, and no model-local function defines it. Running the model needs a custom-op library: native code, or Python through onnxruntime-extensions.",
            GraphReview));
        rules.Add(Rule(PaddleFileOp, "PaddlePaddle file op", Severity.Warning, FindingCategory.FrameworkOperation,
            "A PaddlePaddle program has an op that reads or writes files named in its attributes (save, load, save_combine, load_combine). Inference programs written by paddle.jit.save carry none.",
            GraphReview));
        rules.Add(Rule(CoreMLCustomCode, "Core ML custom layer or model", Severity.Warning, FindingCategory.FrameworkOperation,
            "A Core ML model has a custom layer or is a custom model: Core ML runs the application class the model names (MLCustomLayer / MLCustomModel), code that does not come with the model.",
            GraphReview));

        rules.Add(Rule(OnnxExternalDataEscape, "ONNX external data outside the model folder", Severity.Critical, FindingCategory.Integrity,
            "A tensor's external data location is absolute or climbs out of the model's folder (or is a link that resolves outside it). onnx.load reads that file into the tensor and onnx.save writes it: arbitrary file read and write (CVE-2022-25882, CVE-2024-27318, CVE-2025-51480).",
            DoNotLoad, "CVE-2022-25882", "CVE-2024-27318", "CVE-2025-51480"));
        rules.Add(Rule(OnnxExternalDataMissing, "ONNX external data file missing", Severity.Warning, FindingCategory.Integrity,
            "A tensor's external data file is not beside the model, or the tensor names no location. The model does not load as published, and whatever file is put there later becomes its weights.",
            "Download the model's external data files with it and scan the folder again."));
        rules.Add(Rule(OnnxExternalDataOutOfBounds, "ONNX external data out of bounds", Severity.Warning, FindingCategory.Integrity,
            "A tensor's external data offset and length (or its shape times its type size) reach past the end of the referenced file: truncated or crafted.",
            "Download the external data files again; re-export the model if the problem persists."));
        rules.Add(Rule(OnnxExternalDataUnverified, "ONNX external data not verified", Severity.Info, FindingCategory.Integrity,
            "The model keeps tensors in external files, but it was not scanned from a local folder (an archive member, a remote object), so the files' presence and sizes were not checked. Locations were still checked for traversal.",
            "Scan the model's folder on disk to check its external data."));
        rules.Add(Rule(ProtobufAmbiguous, "Ambiguous protobuf model", Severity.Info, FindingCategory.Integrity,
            "The file is protobuf whose field structure fits more than one model format (ONNX, TensorFlow, Core ML, Paddle) and its name does not decide. It was not scanned as any of them; coverage is Inconclusive.",
            "Give the file its format's usual name (model.onnx, saved_model.pb, .mlmodel, .pdmodel) and scan it again."));
        rules.Add(Rule(CoreMLPathEscape, "Core ML path outside the package", Severity.Critical, FindingCategory.Integrity,
            "A Core ML linked model file name or search path, or an .mlpackage manifest entry, is absolute or climbs out of the model's folder: loading reads a file the model does not ship.",
            DoNotLoad));
        rules.Add(Rule(CoreMLWeightsInvalid, "Core ML weight file invalid", Severity.Warning, FindingCategory.Integrity,
            "An ML Program weight file (weights/weight.bin) does not decode as coremltools writes it: a blob without its metadata record, or a blob whose range is not where its record says or runs past the end of the file.",
            "Re-export the model with coremltools."));
        rules.Add(Rule(PaddleParamsInvalid, "PaddlePaddle parameters file invalid", Severity.Warning, FindingCategory.Integrity,
            "A .pdiparams file does not decode as the tensors paddle.save_combine writes: a version, LoD or tensor description out of bounds, a tensor past the end of the file, or bytes after the last tensor.",
            "Re-export the model with paddle.jit.save."));
    }
}
