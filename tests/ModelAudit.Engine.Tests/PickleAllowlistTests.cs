using ModelAudit.Engine.Formats.Pickle;

namespace ModelAudit.Engine.Tests;

/// <summary>The allowlist's shape: where it overlaps the denylist, every permitted use is a written decision.</summary>
public sealed class PickleAllowlistTests
{
    [Fact]
    public void A_hand_kept_row_that_the_denylist_also_names_states_its_uses()
    {
        var undecided = PickleNames.ReadResource("allowlist-manual.txt")
            .Select(line => line.Split('\t'))
            .Where(f => f.Length == 3 && PickleDenylist.Match(f[1], f[2]) is not null)
            .Select(f => f[1] + "." + f[2])
            .ToArray();
        Assert.True(undecided.Length == 0, string.Join("\n", undecided));
    }

    [Fact]
    public void A_generated_row_that_the_denylist_names_permits_only_data()
    {
        var called = PickleAllowlist.All
            .Where(e => PickleDenylist.Match(e.Module, e.Name) is not null && e.Uses != GlobalUse.None)
            .Where(e => !PickleNames.ReadResource("allowlist-manual.txt").Any(l => l.StartsWith(e.Profile + "\t" + e.Module + "\t" + e.Name + "\t", StringComparison.Ordinal)))
            .Select(e => e.Module + "." + e.Name)
            .ToArray();
        Assert.Empty(called);
    }

    [Theory]
    [InlineData("numpy", "memmap")]
    [InlineData("torch.storage", "_load_from_bytes")]
    public void Denylisted_library_names_are_allowed_as_data_but_never_called(string module, string name)
    {
        CallableVerdict verdict = PickleClassifier.Classify(module, name, null);
        Assert.NotEqual(CallableClass.Allowed, verdict.ClassFor(GlobalUse.Called));
    }

    [Theory]
    [InlineData("joblib.numpy_pickle", "NumpyArrayWrapper", false)]
    [InlineData("pathlib", "PosixPath", true)]
    [InlineData("logging", "getLogger", true)]
    [InlineData("torch.serialization", "_get_layout", true)]
    public void Library_output_that_a_denylisted_module_writes_is_allowed_for_its_use(string module, string name, bool called) =>
        Assert.Equal(CallableClass.Allowed, PickleClassifier.Classify(module, name, null).ClassFor(called ? GlobalUse.Called : GlobalUse.Constructed));
}
