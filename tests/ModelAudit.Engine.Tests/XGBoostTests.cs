using System.Text;

namespace ModelAudit.Engine.Tests;

/// <summary>XGBoost JSON models in the layout of XGBoost 2.x save_model (doc/model.schema).</summary>
public sealed class XGBoostTests
{
    private const string Tree0 =
        "{\"base_weights\":[-0.1,0.4,-0.5],\"categories\":[],\"categories_nodes\":[],\"categories_segments\":[],\"categories_sizes\":[],"
        + "\"default_left\":[0,0,0],\"id\":0,\"left_children\":[1,-1,-1],\"loss_changes\":[3.5,0.0,0.0],\"parents\":[2147483647,0,0],"
        + "\"right_children\":[2,-1,-1],\"split_conditions\":[0.5,0.4,-0.5],\"split_indices\":[1,0,0],\"split_type\":[0,0,0],"
        + "\"sum_hessian\":[2.5,1.25,1.25],\"tree_param\":{\"num_deleted\":\"0\",\"num_feature\":\"2\",\"num_nodes\":\"3\",\"size_leaf_vector\":\"1\"}}";

    internal static byte[] Model(string tree = Tree0, string attributes = "{}", string numTrees = "1") => Encoding.UTF8.GetBytes(
        "{\"learner\":{\"attributes\":" + attributes + ",\"feature_names\":[\"f0\",\"f1\"],\"feature_types\":[\"float\",\"float\"],"
        + "\"gradient_booster\":{\"model\":{\"gbtree_model_param\":{\"num_parallel_tree\":\"1\",\"num_trees\":\"" + numTrees + "\"},"
        + "\"iteration_indptr\":[0,1],\"tree_info\":[0],\"trees\":[" + tree + "]},\"name\":\"gbtree\"},"
        + "\"learner_model_param\":{\"base_score\":\"5E-1\",\"boost_from_average\":\"1\",\"num_class\":\"0\",\"num_feature\":\"2\",\"num_target\":\"1\"},"
        + "\"objective\":{\"name\":\"binary:logistic\",\"reg_loss_param\":{\"scale_pos_weight\":\"1\"}}},\"version\":[2,0,3]}");

    [Fact]
    public void A_saved_booster_is_clean()
    {
        ModelScanResult result = Scan.Bytes(Model(), "model.json");
        Assert.Equal("XGBoostJson", result.Format);
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void A_child_outside_the_tree_is_a_warning()
    {
        ModelScanResult result = Scan.Bytes(Model(Tree0.Replace("\"left_children\":[1,-1,-1]", "\"left_children\":[7,-1,-1]")), "model.json");
        Assert.True(result.Has("MA6174", Severity.Warning), result.Describe());
    }

    [Fact]
    public void A_node_that_is_its_own_child_is_a_warning()
    {
        ModelScanResult result = Scan.Bytes(Model(Tree0.Replace("\"right_children\":[2,-1,-1]", "\"right_children\":[0,-1,-1]")), "model.json");
        Assert.True(result.Has("MA6174", Severity.Warning), result.Describe());
    }

    [Fact]
    public void Node_arrays_of_different_lengths_are_a_warning()
    {
        ModelScanResult result = Scan.Bytes(Model(Tree0.Replace("\"parents\":[2147483647,0,0]", "\"parents\":[2147483647,0]")), "model.json");
        Assert.True(result.Has("MA6174", Severity.Warning), result.Describe());
    }

    [Fact]
    public void A_split_on_a_feature_the_model_lacks_is_a_warning()
    {
        ModelScanResult result = Scan.Bytes(Model(Tree0.Replace("\"split_indices\":[1,0,0]", "\"split_indices\":[9,0,0]")), "model.json");
        Assert.True(result.Has("MA6174", Severity.Warning), result.Describe());
    }

    [Fact]
    public void A_tree_count_that_disagrees_is_a_warning()
    {
        ModelScanResult result = Scan.Bytes(Model(numTrees: "5"), "model.json");
        Assert.True(result.Has("MA6174", Severity.Warning), result.Describe());
    }

    [Fact]
    public void A_base64_pickle_in_an_attribute_is_scanned_as_a_pickle()
    {
        string attributes = "{\"hook\":\"" + Convert.ToBase64String(OsSystemPickle()) + "\"}";
        ModelScanResult result = Scan.Bytes(Model(attributes: attributes), "model.json");
        Assert.True(result.Has("MA1013", Severity.Warning), result.Describe());
        Assert.True(result.Has("MA1001", Severity.Critical), result.Describe());
    }

    [Fact]
    public void Attributes_go_to_the_analyzers()
    {
        ModelScanResult result = Scan.Bytes(Model(attributes: "{\"note\":\"AKIADN73U55XTPLPFT7V\"}"), "model.json");
        Assert.True(result.Has("MA4001"), result.Describe());
    }

    [Fact]
    public void A_truncated_model_is_a_parse_error()
    {
        byte[] model = Model();
        ModelScanResult result = Scan.Bytes(model[..(model.Length - 20)], "model.json");
        Assert.True(result.Has("MA9001"), result.Describe());
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
    }

    // Protocol 2: PROTO 2, GLOBAL os system, BINUNICODE "id", TUPLE1, REDUCE, STOP.
    private static byte[] OsSystemPickle()
    {
        var bytes = new List<byte> { 0x80, 0x02 };
        bytes.AddRange("cos\nsystem\n"u8.ToArray());
        bytes.AddRange(new byte[] { (byte)'X', 2, 0, 0, 0, (byte)'i', (byte)'d', 0x85, (byte)'R', (byte)'.' });
        return bytes.ToArray();
    }

    [Fact]
    public void A_booster_saved_as_ubjson_is_clean()
    {
        ModelScanResult result = Scan.Bytes(UbjsonBuilder.FromJson(Model()), "model.ubj");
        Assert.Equal("XGBoostUbj", result.Format);
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void Ubjson_models_get_the_same_structure_checks_and_attribute_scans_as_json()
    {
        byte[] bad = UbjsonBuilder.FromJson(Model(Tree0.Replace("\"left_children\":[1,-1,-1]", "\"left_children\":[7,-1,-1]")));
        Assert.True(Scan.Bytes(bad, "model.ubj").Has("MA6174", Severity.Warning));
        string pickled = Convert.ToBase64String(OsSystemPickle());
        ModelScanResult payload = Scan.Bytes(UbjsonBuilder.FromJson(Model(attributes: "{\"best_iteration\":\"" + pickled + "\"}")), "model.ubj");
        Assert.True(payload.Has("MA1001", Severity.Critical), payload.Describe());
    }

    [Fact]
    public void Truncated_or_lying_ubjson_is_a_parse_error_never_a_crash()
    {
        byte[] model = UbjsonBuilder.FromJson(Model());
        for (int cut = 20; cut < model.Length; cut += 11)
        {
            ModelScanResult result = Scan.Bytes(model[..cut], "model.ubj");
            Assert.True(result.Has("MA9001"), result.Describe());
            Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
        }

        // A typed array that claims 2^40 float32 values in a file of a few hundred bytes.
        byte[] lying = (byte[])model.Clone();
        int at = model.AsSpan().IndexOf("[$d#L"u8) + 5;
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(lying.AsSpan(at), 1L << 40);
        ModelScanResult huge = Scan.Bytes(lying, "model.ubj");
        Assert.True(huge.Has("MA9001"), huge.Describe());
    }
}
