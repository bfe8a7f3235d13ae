using static ModelAudit.Engine.Rules.RuleIds;

namespace ModelAudit.Engine.Rules;

public static partial class RuleCatalog
{
    static partial void AddFollowupRules(List<ModelRule> rules) => rules.AddRange(new[]
    {
        Rule(JoblibCompanionOutsideFolder, "joblib array file outside the model folder", Severity.Warning, FindingCategory.CodeExecution,
            "A legacy joblib pickle (joblib ≤ 0.9) keeps an array in a companion file, and the name it gives is absolute or climbs out of the pickle's folder. joblib.load passes that path to numpy.load with allow_pickle=True, so whatever file sits there is unpickled: a pickle placed anywhere the user can write runs when this model loads.",
            "Do not load the file. A joblib dump names its companions '<file>_NN.npy' beside it; re-dump the model with a current joblib."),
        Rule(JoblibZfileLengthMismatch, "joblib Z-file length does not match its content", Severity.Info, FindingCategory.Integrity,
            "A legacy joblib compressed file (ZF, a hex length, a zlib stream) declares a length that differs from what its zlib stream holds. joblib asserts the two agree before unpickling, so the file fails to load, except under python -O, which strips the assert and unpickles it anyway. The pickle was scanned.",
            "Treat the file as corrupted or crafted; obtain it again from its source."),
        Rule(JoblibCompanionMissing, "joblib array file missing", Severity.Warning, FindingCategory.Integrity,
            "A legacy joblib pickle names a companion array file that is not beside it. The model does not load as published, and whatever file is put there later is read by numpy.load with allow_pickle=True, which unpickles it.",
            "Download the companion '_NN.npy' files with the pickle and scan the folder again."),
        Rule(JoblibCompanionUnverified, "joblib array file not scanned", Severity.Info, FindingCategory.Integrity,
            "A legacy joblib pickle keeps arrays in companion files, but the pickle is not a file on a local disk (it is an archive member or a remote object), so the companions could not be found and scanned with it. numpy.load opens them with allow_pickle=True when the model loads.",
            "Scan the model's folder on disk, companions included."),
    });
}
