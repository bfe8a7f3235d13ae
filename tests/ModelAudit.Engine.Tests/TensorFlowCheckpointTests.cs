using ModelAudit.Engine.Formats.TensorFlowCheckpoint;
using static ModelAudit.Engine.Tests.CheckpointBuilder;

namespace ModelAudit.Engine.Tests;

/// <summary>TensorFlow checkpoints (tensor bundles): the .index table read entry by entry, each entry checked against
/// its shard, and the .data shards attributed to their index.</summary>
public sealed class TensorFlowCheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ma-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void A_saved_models_variables_scan_clean_and_the_shard_is_attributed_to_the_index()
    {
        (byte[] index, byte[] data) = BenignVariables();
        string indexPath = Write("variables.index", index);
        string shardPath = Write("variables.data-00000-of-00001", data);
        ModelScanResult indexResult = Scan.File(indexPath);
        ModelScanResult shardResult = Scan.File(shardPath);
        Assert.True(indexResult.Outcome == ScanOutcome.Clean, indexResult.Describe());
        Assert.Equal("TensorFlowCheckpointIndex", indexResult.Format);
        Assert.Empty(indexResult.Findings);
        Assert.Equal(2, indexResult.TensorCount);
        Assert.True(shardResult.Outcome == ScanOutcome.Clean, shardResult.Describe());
        Assert.Equal("TensorFlowCheckpointData", shardResult.Format);
        Assert.Equal("variables.index", Assert.Single(shardResult.Findings, f => f.RuleId == "MA6370").Evidence);
    }

    [Fact]
    public void An_index_in_memory_is_read_without_shard_checks()
    {
        (byte[] index, _) = BenignVariables();
        ModelScanResult result = Scan.Bytes(index, "variables.index");
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
        Assert.Equal("TensorFlowCheckpointIndex", result.Format);
    }

    [Fact]
    public void Many_entries_across_blocks_with_shared_key_prefixes_are_all_read()
    {
        Tensor[] tensors = Enumerable.Range(0, 300)
            .Select(i => new Tensor($"model/layer_{i:D3}/kernel/.ATTRIBUTES/VARIABLE_VALUE", 1, new long[] { 8, 8 }, i * 256L, 256)).ToArray();
        ModelScanResult result = Scan.Bytes(Index(Header(1), tensors), "model.ckpt-100.index");
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
        Assert.Equal(300, result.TensorCount);
    }

    [Fact]
    public void A_shard_without_its_index_is_unknown_content()
    {
        ModelScanResult result = Scan.File(Write("variables.data-00000-of-00001", new byte[64]));
        Assert.NotEqual("TensorFlowCheckpointData", result.Format);
        Assert.False(result.Has("MA6370"), result.Describe());
    }

    [Fact]
    public void An_entry_past_the_end_of_its_shard_is_a_warning()
    {
        byte[] index = Index(Header(1), new Tensor("w", 1, new long[] { 100 }, 0, 400));
        Write("ckpt.data-00000-of-00001", new byte[64]);
        ModelScanResult result = Scan.File(Write("ckpt.index", index));
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA6371");
        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.Contains("holds 64 bytes", finding.Message);
    }

    [Fact]
    public void A_missing_shard_is_a_warning_naming_it()
    {
        byte[] index = Index(Header(2), new Tensor("a", 1, new long[] { 2 }, 0, 8), new Tensor("b", 1, new long[] { 2 }, 0, 8, Shard: 1));
        Write("ckpt.data-00000-of-00002", new byte[8]);
        ModelScanResult result = Scan.File(Write("ckpt.index", index));
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA6372");
        Assert.Equal((Severity.Warning, "ckpt.data-00001-of-00002"), (finding.Severity, finding.Evidence));
    }

    [Theory]
    [InlineData(3, 0, 8)]   // shard 3 of a 1-shard checkpoint
    [InlineData(0, 0, 12)]  // float32[2] declared as 12 bytes
    [InlineData(0, -5, 8)]  // a negative offset
    public void An_impossible_entry_is_a_warning(int shard, long offset, long size)
    {
        ModelScanResult result = Scan.Bytes(Index(Header(1), new Tensor("w", 1, new long[] { 2 }, offset, size, shard)), "ckpt.index");
        Assert.True(result.Has("MA6371", Severity.Warning), result.Describe());
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Fact]
    public void An_index_without_its_header_entry_is_a_parse_error()
    {
        byte[] table = Table(new[] { (System.Text.Encoding.UTF8.GetBytes("w"), Entry(new Tensor("w", 1, new long[] { 2 }, 0, 8)).ToArray()) });
        ModelScanResult result = Scan.Bytes(table, "ckpt.index");
        Assert.True(result.Has("MA9001"), result.Describe());
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
    }

    [Fact]
    public void Every_truncation_and_corruption_ends_in_a_finding_not_a_crash()
    {
        (byte[] index, _) = BenignVariables();
        for (int cut = 1; cut < index.Length; cut += 7)
        {
            byte[] truncated = index[..cut];
            ModelScanResult result = Scan.Bytes(truncated, "variables.index");
            Assert.DoesNotContain(result.Findings, f => f.RuleId == "MA9010");
        }

        var random = new Random(7);
        for (int i = 0; i < 200; i++)
        {
            byte[] damaged = (byte[])index.Clone();
            damaged[random.Next(damaged.Length - 8)] ^= (byte)(1 << random.Next(8));
            ModelScanResult result = Scan.Bytes(damaged, "variables.index");
            Assert.DoesNotContain(result.Findings, f => f.RuleId == "MA9010");
        }
    }

    [Fact]
    public void Shard_names_are_tensorflows()
    {
        Assert.Equal("m/variables.data-00002-of-00010", TensorFlowCheckpointScanner.ShardName("m/variables", 2, 10));
    }
}
