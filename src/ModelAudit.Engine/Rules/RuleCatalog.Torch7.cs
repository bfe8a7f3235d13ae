using static ModelAudit.Engine.Rules.RuleIds;

namespace ModelAudit.Engine.Rules;

public static partial class RuleCatalog
{
    static partial void AddTorch7Rules(List<ModelRule> rules) => rules.AddRange(new[]
    {
        Rule(Torch7Function, "Lua function in a Torch7 file", Severity.Warning, FindingCategory.CodeExecution,
            "The Torch7 file holds a serialized Lua function (string.dump bytecode). torch.load compiles it with loadstring and sets its upvalues; it runs when the model calls it (a method stored on a module), and LuaJIT does not verify bytecode, so crafted bytecode can break out of the VM as it loads. Model weights never need one.",
            "Do not torch.load the file. Re-save the model from its source code, or load only its tensors in a disposable sandbox."),
        Rule(Torch7FunctionRunsCommands, "Lua function that runs commands in a Torch7 file", Severity.Critical, FindingCategory.CodeExecution,
            "A Lua function serialized in the Torch7 file names os.execute, io.popen, package.loadlib, dofile, loadstring or the FFI: when it runs (or as its bytecode loads, for crafted bytecode), it runs commands or native code.",
            "Do not torch.load the file; treat the machine that loaded it as compromised."),
    });
}
