using static ModelAudit.Engine.Rules.RuleIds;

namespace ModelAudit.Engine.Rules;

/// <summary>Rules of the content analyzers (secrets, network, configuration, shipped code, recorded versions).</summary>
public static partial class RuleCatalog
{
    private const string RevokeSecret = "Revoke the credential at its issuer, then remove it from the published files and their history.";
    private const string ReviewCode = "Read the code before enabling it (trust_remote_code, custom loaders); pin a reviewed revision.";

    static partial void AddContentRules(List<ModelRule> rules) => rules.AddRange(new[]
    {
        Rule(YamlPythonTag, "YAML tag that constructs Python objects", Severity.Critical, FindingCategory.CodeExecution,
            "A YAML document carries a !!python/object, !!python/name, !!python/module or similar tag. PyYAML's unsafe loaders (yaml.load with Loader=Loader/UnsafeLoader, older yaml.load defaults) import and call what the tag names.",
            DoNotLoad),
        Rule(ObfuscatedCodeExecution, "Obfuscated code execution in shipped code", Severity.Critical, FindingCategory.CodeExecution,
            "Python code shipped with the model runs code it decodes or assembles at run time: exec/eval of base64, hex, zlib or joined strings, or __import__ of a computed name. Modelling code has no reason to hide what it runs.",
            DoNotLoad),
        Rule(ShippedCodeExecution, "Command or code execution in shipped code", Severity.Warning, FindingCategory.CodeExecution,
            "Python code shipped with the model (custom modelling code, handlers, auto_map targets) calls exec, eval, compile, os.system, subprocess, pty or a deserializer of untrusted data. It runs when the model is loaded with trust_remote_code or by its serving handler.",
            ReviewCode),
        Rule(ShippedCodeNetwork, "Network access in shipped code", Severity.Info, FindingCategory.CodeExecution,
            "Python code shipped with the model opens sockets or makes HTTP requests. Some processors download inputs legitimately; a model's code phoning home is a way to exfiltrate data.",
            ReviewCode),
        Rule(ShippedCodeFileAccess, "File deletion or permission change in shipped code", Severity.Info, FindingCategory.CodeExecution,
            "Python code shipped with the model deletes files or folders or changes permissions (os.remove, shutil.rmtree, os.chmod).",
            ReviewCode),

        Rule(CustomCodeLocal, "Custom code required to load the model", Severity.Warning, FindingCategory.FrameworkOperation,
            "A Hugging Face configuration maps model classes to Python files in the repository (auto_map). Loading with trust_remote_code=True imports and runs those files.",
            ReviewCode),
        Rule(CustomCodeRemote, "Custom code from another repository", Severity.Warning, FindingCategory.FrameworkOperation,
            "A Hugging Face configuration's auto_map names code in a different repository (\"org/repo--module.Class\"). Loading with trust_remote_code=True fetches and runs code that was not published with this model and can change without it.",
            ReviewCode),
        Rule(TrustRemoteCode, "Configuration enables remote code", Severity.Warning, FindingCategory.FrameworkOperation,
            "A configuration sets trust_remote_code to true, so the loader that reads it imports the repository's Python files without asking.",
            ReviewCode),
        Rule(MlflowCustomLoader, "MLflow model with a custom loader module", Severity.Warning, FindingCategory.FrameworkOperation,
            "An MLmodel file's python_function flavor names a loader_module outside MLflow's own flavors: mlflow.pyfunc.load_model imports and runs it.",
            ReviewCode),
        Rule(MlflowBundledCode, "MLflow model bundles code", Severity.Info, FindingCategory.FrameworkOperation,
            "An MLmodel file declares a code path or a cloudpickled python_model: loading the model adds that code to the path or unpickles it. The pickles and scripts themselves are scanned as files.",
            ReviewCode),

        Rule(PrivateKeyBlock, "Private key", Severity.Critical, FindingCategory.Secret,
            "A PEM or OpenSSH private key block (RSA, EC, DSA, OpenSSH, encrypted PKCS#8, PGP private key block) with a key body. Public keys and certificates are not reported.",
            RevokeSecret),
        Rule(AwsKeyPair, "AWS access key with its secret", Severity.Critical, FindingCategory.Secret,
            "An AWS access key id appears together with a 40-character secret access key (as in .aws/credentials files or environment exports): together they sign requests as that identity.",
            RevokeSecret),
        Rule(CredentialAssignment, "Credential in an assignment", Severity.Warning, FindingCategory.Secret,
            "A key named like a credential (password, secret, token, api_key…) is assigned a value with the randomness of a real secret. Placeholders, hashes and short or dictionary-like values are not reported.",
            RevokeSecret),
        Rule(UrlPassword, "Password in a connection URL", Severity.Warning, FindingCategory.Secret,
            "A database, broker or other connection URL carries a user name and password (scheme://user:password@host).",
            RevokeSecret),

        Rule(UrlInPickle, "URL inside a pickle", Severity.Info, FindingCategory.Network,
            "A string inside a pickle is a URL. Weights do not need one; combined with a network or execution callable it is where a payload comes from or data goes.",
            Review),
        Rule(SuspiciousEndpoint, "Suspicious network endpoint", Severity.Info, FindingCategory.Network,
            "Text names a link shortener, a tunnel (ngrok, localtunnel…), a paste or webhook endpoint, a raw IP address, an unusual port or a direct link to an executable or script. Documentation links (arXiv, Hugging Face, GitHub, licences) are not reported.",
            Review),
        Rule(SuspiciousEndpointWithPrimitive, "Suspicious endpoint next to an execution or network primitive", Severity.Warning, FindingCategory.Network,
            "A suspicious endpoint appears in the same value or statement as a download, shell or execution primitive (curl | sh, urlopen, os.system, Invoke-WebRequest…): the shape of a dropper or an exfiltration step.",
            Review),

        Rule(RecordedVersionVulnerable, "Recorded framework version has known CVEs", Severity.Info, FindingCategory.Integrity,
            "A file records the framework version that wrote it (transformers_version, keras_version, MLflow flavor versions) and that version is in the affected range of published CVEs. It says how the model was made, not what will load it; check the loader's version.",
            "Load the model with a framework version outside the affected ranges."),
        Rule(PinnedRequirementVulnerable, "Pinned requirement has known CVEs", Severity.Warning, FindingCategory.Integrity,
            "A requirements or environment file shipped with the model pins a framework version in the affected range of published CVEs: installing the environment as shipped makes loading the model (or others) exploitable.",
            "Raise the pin to a fixed version before installing the environment."),
    });
}
