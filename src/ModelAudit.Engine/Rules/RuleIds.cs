namespace ModelAudit.Engine.Rules;

/// <summary>Rule ids as constants, so scanners cannot misspell the public contract.</summary>
internal static partial class RuleIds
{
    // 1xxx code execution and deserialization
    public const string ExecutionCallable = "MA1001";
    public const string ResolverCallable = "MA1002";
    public const string NestedDeserialization = "MA1003";
    public const string CodeObjectConstruction = "MA1004";
    public const string DynamicImport = "MA1005";
    public const string UnknownExtension = "MA1006";
    public const string FrameViolation = "MA1007";
    public const string NonAllowlistedCall = "MA1008";
    public const string FileSystemCallable = "MA1009";
    public const string NetworkCallable = "MA1010";
    public const string ProcessAdjacentCallable = "MA1011";
    public const string UnknownClassReference = "MA1012";
    public const string EmbeddedPickle = "MA1013";
    public const string ImportTargetMutation = "MA1014";
    public const string ScannerTampering = "MA1015";
    public const string NumPyObjectArray = "MA1016";
    public const string MarshalledCode = "MA1017";
    public const string PickleStructureAnomaly = "MA1018";
    public const string TorchScriptCode = "MA1019";
    public const string ExtensionRegistration = "MA1020";
    public const string PickleInBytes = "MA1021";

    // 2xxx archives and containers
    public const string ArchivePathTraversal = "MA2001";
    public const string ArchiveEncryptedMember = "MA2002";
    public const string ArchiveNameMismatch = "MA2003";
    public const string ArchiveCrcMismatch = "MA2004";
    public const string ArchiveHiddenEntry = "MA2005";
    public const string ArchiveDuplicateName = "MA2006";
    public const string ArchiveExecutableMember = "MA2007";
    public const string Polyglot = "MA2008";
    public const string DecompressionBomb = "MA2009";
    public const string ArchiveLinkEscape = "MA2010";
    public const string ZipDirectoryDisagreement = "MA2011";
    public const string ZipUnaccountedBytes = "MA2012";

    // 4xxx secrets
    public const string EmbeddedSecret = "MA4001";

    // 6xxx integrity and supply chain
    public const string ExtensionMismatch = "MA6001";
    public const string GitLfsPointer = "MA6002";
    public const string NativeExecutable = "MA6003";
    public const string CodeBehindDataExtension = "MA6004";
    public const string SitePathConfiguration = "MA6005";
    public const string SafeTensorsHeaderBounds = "MA6010";
    public const string SafeTensorsHeaderInvalid = "MA6011";
    public const string SafeTensorsOverlap = "MA6012";
    public const string SafeTensorsOutOfBounds = "MA6013";
    public const string SafeTensorsSizeMismatch = "MA6014";
    public const string SafeTensorsHiddenData = "MA6015";
    public const string SafeTensorsUnexpectedKey = "MA6016";
    public const string SafeTensorsUnknownDtype = "MA6017";
    public const string TrailingData = "MA6018";

    // 9xxx scan health
    public const string ParseError = "MA9001";
    public const string LimitExceeded = "MA9002";
    public const string FormatNotScanned = "MA9003";
    public const string UnknownFormat = "MA9004";
    public const string FileTooLarge = "MA9005";
    public const string Timeout = "MA9006";
    public const string NestingTooDeep = "MA9007";
    public const string FindingsTruncated = "MA9008";
    public const string EmptyModelFile = "MA9009";
    public const string ScannerFault = "MA9010";
}
