using ModelAudit.Engine.Analyzers.Versions;
using ModelAudit.Engine.Rules;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Analyzers.Configuration;

/// <summary>
/// MLflow MLmodel files: the python_function flavor's loader_module (imported by mlflow.pyfunc.load_model; MLflow's
/// own flavors are expected, anything else is custom code), bundled code paths and cloudpickled python models, and
/// the framework versions each flavor records.
/// </summary>
internal sealed class MlflowModelAnalyzer : IContentAnalyzer
{
    // Flavor keys that record the framework version that saved the model.
    private static readonly (string Key, string Package)[] s_versionKeys =
    {
        ("pytorch_version", "torch"), ("sklearn_version", "sklearn"), ("keras_version", "keras"),
        ("transformers_version", "transformers"), ("onnx_version", "onnx"),
    };

    public string Name => "Configuration";

    public void Analyze(ContentFragment fragment, ScanContext context)
    {
        if (!FragmentText.IsWholeFile(fragment) || FragmentText.FileName(fragment) != "MLmodel")
        {
            return;
        }

        YamlWalk walk = YamlWalk.Of(fragment.Text);
        long? offset = fragment.Offset;
        if (walk.Get("flavors.python_function.loader_module") is { } loader && !loader.StartsWith("mlflow.", StringComparison.Ordinal))
        {
            context.Report(RuleIds.MlflowCustomLoader, $"'{fragment.KeyPath}' loads through loader_module '{loader}', which is not an MLflow flavor.", offset, loader, scanner: Name);
        }

        if (walk.Scalars.FirstOrDefault(s => s.Path.StartsWith("flavors.python_function.code", StringComparison.Ordinal) && s.Value.Length > 0 && s.Value != "null") is { Path: not null } code)
        {
            context.Report(RuleIds.MlflowBundledCode, $"'{fragment.KeyPath}' adds bundled code '{code.Value}' to the path when loaded.", offset, code.Value, scanner: Name);
        }

        if (walk.Get("flavors.python_function.python_model") is { } model)
        {
            context.Report(RuleIds.MlflowBundledCode, $"'{fragment.KeyPath}' loads a cloudpickled python_model '{model}'.", offset, model, scanner: Name);
        }

        foreach (var (path, value, _) in walk.Scalars.Where(s => s.Path.StartsWith("flavors.", StringComparison.Ordinal)))
        {
            string key = path[(path.LastIndexOf('.') + 1)..];
            foreach (var (versionKey, package) in s_versionKeys)
            {
                if (key == versionKey)
                {
                    VersionCheck.Recorded(context, package, value, $"'{fragment.KeyPath}' ({path})", offset);
                }
            }
        }
    }
}
