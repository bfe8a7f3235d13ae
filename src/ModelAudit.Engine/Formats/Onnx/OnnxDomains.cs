namespace ModelAudit.Engine.Formats.Onnx;

/// <summary>Which operator domains and types ONNX runtimes ship implementations of, and which ops call into Python.</summary>
internal static class OnnxDomains
{
    // The ONNX standard operator sets; "" is the default domain (ai.onnx).
    private static readonly HashSet<string> s_standard = new(StringComparer.Ordinal)
    {
        "", "ai.onnx", "ai.onnx.ml", "ai.onnx.training", "ai.onnx.preview.training",
    };

    // ONNX Runtime's PyOp (language interop: calls a Python module's function named in its attributes) and ORTModule's
    // PythonOp/PythonOpGrad (call a registered torch.autograd.Function). Matched in any domain: the type is the tell.
    private static readonly HashSet<string> s_pythonOps = new(StringComparer.Ordinal) { "PyOp", "PythonOp", "PythonOpGrad" };

    /// <summary>True for a domain whose operators every ONNX runtime or ONNX Runtime itself implements
    /// (com.microsoft and its sub-domains such as com.microsoft.nchwc).</summary>
    public static bool IsStandard(string domain) =>
        s_standard.Contains(domain) || domain == "com.microsoft" || domain.StartsWith("com.microsoft.", StringComparison.Ordinal);

    public static bool IsPythonOp(string opType) => s_pythonOps.Contains(opType);
}
