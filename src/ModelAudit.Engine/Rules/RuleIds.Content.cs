namespace ModelAudit.Engine.Rules;

/// <summary>Rule ids of the content analyzers: secrets, network indicators, configuration, shipped code, versions.</summary>
internal static partial class RuleIds
{
    // 1xxx code execution: configuration and code shipped beside a model
    public const string YamlPythonTag = "MA1170";
    public const string ObfuscatedCodeExecution = "MA1171";
    public const string ShippedCodeExecution = "MA1172";
    public const string ShippedCodeNetwork = "MA1173";
    public const string ShippedCodeFileAccess = "MA1174";

    // 3xxx framework operations: configuration that makes a loader run code
    public const string CustomCodeLocal = "MA3130";
    public const string CustomCodeRemote = "MA3131";
    public const string TrustRemoteCode = "MA3132";
    public const string MlflowCustomLoader = "MA3133";
    public const string MlflowBundledCode = "MA3134";

    // 4xxx secrets
    public const string PrivateKeyBlock = "MA4002";
    public const string AwsKeyPair = "MA4003";
    public const string CredentialAssignment = "MA4004";
    public const string UrlPassword = "MA4005";

    // 5xxx network indicators
    public const string UrlInPickle = "MA5001";
    public const string SuspiciousEndpoint = "MA5002";
    public const string SuspiciousEndpointWithPrimitive = "MA5003";

    // 6xxx known CVEs by recorded version
    public const string RecordedVersionVulnerable = "MA6250";
    public const string PinnedRequirementVulnerable = "MA6251";
}
