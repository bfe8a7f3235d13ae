using System.Text;

namespace ModelAudit.Engine.Tests;

/// <summary>LightGBM text models in the layout of Booster.save_model (LightGBM 4.x).</summary>
public sealed class LightGbmTests
{
    private const string Tree0 = """
        Tree=0
        num_leaves=3
        num_cat=0
        split_feature=0 1
        split_gain=10.5 2.25
        threshold=0.50000000000000011 1.5000000000000002
        decision_type=2 2
        left_child=1 -1
        right_child=-2 -3
        leaf_value=0.1 -0.2 0.3
        leaf_weight=5 3 2
        leaf_count=5 3 2
        internal_value=0 0.05
        internal_weight=10 5
        internal_count=10 5
        is_linear=0
        shrinkage=1


        """;

    private static byte[] Model(string tree = Tree0, string treeSizes = "385", bool ended = true) => Encoding.UTF8.GetBytes(
        "tree\nversion=v4\nnum_class=1\nnum_tree_per_iteration=1\nlabel_index=0\nmax_feature_idx=1\nobjective=binary sigmoid:1\n"
        + "feature_names=Column_0 Column_1\nfeature_infos=[0:1] [0:3]\ntree_sizes=" + treeSizes + "\n\n" + tree.Replace("\r\n", "\n")
        + (ended ? "end of trees\n\nfeature_importances:\nColumn_0=1\nColumn_1=1\n\nparameters:\n[boosting: gbdt]\n[objective: binary]\n"
            + "end of parameters\n\npandas_categorical:null\n" : ""));

    [Fact]
    public void A_saved_booster_is_clean()
    {
        ModelScanResult result = Scan.Bytes(Model(), "model.txt");
        Assert.Equal("LightGBM", result.Format);
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void A_leaf_child_past_num_leaves_is_a_warning()
    {
        ModelScanResult result = Scan.Bytes(Model(Tree0.Replace("right_child=-2 -3", "right_child=-2 -9")), "model.txt");
        Assert.True(result.Has("MA6174", Severity.Warning), result.Describe());
    }

    [Fact]
    public void A_child_pointing_at_the_root_is_a_warning()
    {
        ModelScanResult result = Scan.Bytes(Model(Tree0.Replace("left_child=1 -1", "left_child=1 0")), "model.txt");
        Assert.True(result.Has("MA6174", Severity.Warning), result.Describe());
    }

    [Fact]
    public void Arrays_shorter_than_the_tree_are_a_warning()
    {
        ModelScanResult result = Scan.Bytes(Model(Tree0.Replace("threshold=0.50000000000000011 1.5000000000000002", "threshold=0.5")), "model.txt");
        Assert.True(result.Has("MA6174", Severity.Warning), result.Describe());
    }

    [Fact]
    public void A_split_past_max_feature_idx_is_a_warning()
    {
        ModelScanResult result = Scan.Bytes(Model(Tree0.Replace("split_feature=0 1", "split_feature=0 7")), "model.txt");
        Assert.True(result.Has("MA6174", Severity.Warning), result.Describe());
    }

    [Fact]
    public void A_truncated_model_is_a_warning()
    {
        ModelScanResult result = Scan.Bytes(Model(ended: false), "model.txt");
        Assert.True(result.Has("MA6174", Severity.Warning), result.Describe());
    }

    [Fact]
    public void Tree_sizes_that_disagree_are_a_warning()
    {
        ModelScanResult result = Scan.Bytes(Model(treeSizes: "385 400"), "model.txt");
        Assert.True(result.Has("MA6174", Severity.Warning), result.Describe());
    }
}
