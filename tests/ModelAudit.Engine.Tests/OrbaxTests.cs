using System.Buffers.Binary;
using ModelAudit.Engine.Formats.Orbax;
using ModelAudit.Engine.Scanning;
using ModelAudit.Engine.Sources;

namespace ModelAudit.Engine.Tests;

/// <summary>Orbax checkpoint folders with OCDBT storage, written by <c>tests/fixtures/generate_orbax.py</c> from
/// TensorStore's OCDBT format: every file recognised by content, manifests walked into their data files, malformed
/// envelopes and references reported with offsets, and pickles anywhere in the checkpoint scanned.</summary>
public sealed class OrbaxTests : IDisposable
{
    private const string DataFile = "ocdbt.process_0/d/5f3a8c7d1e2b4a6f9c0d1e2f3a4b5c6d";

    private readonly string _dir = Directory.CreateTempSubdirectory("ma-orbax-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Step(string folder) => Scan.Fixture("orbax/" + folder + "/1");

    private static string Manifest(string folder) => Path.Combine(Step(folder), "default", "manifest.ocdbt");

    private static Dictionary<string, ModelScanResult> ScanFolder(string root)
    {
        var engine = new ScanEngine(new ScanOptions { Recurse = true });
        return LocalFileSource.Enumerate(root, engine.Options, _ => { })
            .Select(item => engine.Scan(item, CancellationToken.None))
            .ToDictionary(r => Path.GetRelativePath(root, r.Path).Replace('\\', '/'), StringComparer.Ordinal);
    }

    // A copy of a fixture folder the test may change.
    private string Copy(string folder)
    {
        string source = Step(folder);
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(_dir, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        return _dir;
    }

    [Fact]
    public void Every_file_of_a_benign_checkpoint_has_its_format_and_scans_clean()
    {
        Dictionary<string, ModelScanResult> results = ScanFolder(Step("benign"));
        var expected = new Dictionary<string, string>
        {
            ["_CHECKPOINT_METADATA"] = "OrbaxMetadata",
            ["default/_METADATA"] = "OrbaxMetadata",
            ["default/_sharding"] = "OrbaxMetadata",
            ["default/array_metadatas/process_0"] = "OrbaxMetadata",
            ["default/manifest.ocdbt"] = "OcdbtManifest",
            ["default/ocdbt.process_0/manifest.ocdbt"] = "OcdbtManifest",
            ["default/" + DataFile] = "OcdbtData",
        };
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), results.Keys.Order(StringComparer.Ordinal));
        foreach ((string file, ModelScanResult result) in results)
        {
            Assert.True(result.Outcome == ScanOutcome.Clean, $"{file}: {result.Describe()}");
            Assert.Equal(expected[file], result.Format);
        }

        // The data file starts with a raw chunk, so it is attributed to the manifest of its database folder.
        Assert.Equal("manifest.ocdbt", Path.GetFileName(Assert.Single(results["default/" + DataFile].Findings, f => f.RuleId == "MA6370").Evidence));
        Assert.Empty(results["default/manifest.ocdbt"].Findings);
    }

    [Fact]
    public void The_manifest_walk_reads_the_zstd_node_in_the_data_file()
    {
        // A flipped byte inside the B+tree node (after the 64-byte kernel chunk) breaks the node's checksum; only a
        // walk that reached the node through the root manifest's data file table can see it.
        string root = Copy("benign");
        string data = Path.Combine(root, "default", DataFile);
        byte[] bytes = File.ReadAllBytes(data);
        bytes[64 + 20] ^= 0x01;
        File.WriteAllBytes(data, bytes);
        ModelScanResult result = Scan.File(Path.Combine(root, "default", "manifest.ocdbt"));
        ModelFinding finding = Assert.Single(result.Findings);
        Assert.Equal("MA6378", finding.RuleId);
        Assert.Equal(bytes.Length - 4, finding.Offset);
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Theory]
    [InlineData("malformed/bad_magic", "MA6379", 0L)]
    [InlineData("malformed/truncated", "MA6379", 4L)]
    [InlineData("malformed/length_past_end", "MA6379", 4L)]
    [InlineData("malformed/bad_version", "MA6379", 12L)]
    [InlineData("malformed/absurd_count", "MA6379", 38L)]
    public void A_malformed_manifest_is_a_typed_finding_at_its_offset(string folder, string rule, long offset)
    {
        ModelScanResult result = Scan.File(Manifest(folder));
        ModelFinding finding = Assert.Single(result.Findings);
        Assert.Equal(rule, finding.RuleId);
        Assert.Equal(offset, finding.Offset);
        Assert.Equal("OcdbtManifest", result.Format);
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Fact]
    public void A_manifest_whose_checksum_does_not_match_is_reported_at_its_footer()
    {
        string path = Manifest("malformed/bad_checksum");
        ModelScanResult result = Scan.File(path);
        ModelFinding finding = Assert.Single(result.Findings);
        Assert.Equal("MA6378", finding.RuleId);
        Assert.Equal(new FileInfo(path).Length - 4, finding.Offset);
    }

    [Fact]
    public void A_missing_data_file_and_a_path_out_of_the_checkpoint_are_invalid_references()
    {
        ModelScanResult missing = Scan.File(Manifest("malformed/missing_data_file"));
        Assert.Equal(DataFile, Assert.Single(missing.Findings, f => f.RuleId == "MA6377").Evidence);
        ModelScanResult escaping = Scan.File(Manifest("malformed/escaping_path"));
        Assert.Equal("../../" + DataFile, Assert.Single(escaping.Findings, f => f.RuleId == "MA6377").Evidence);
        Assert.Equal(ScanOutcome.Issues, escaping.Outcome);
    }

    [Fact]
    public void A_reference_past_the_end_of_its_data_file_is_reported()
    {
        string root = Copy("benign");
        string data = Path.Combine(root, "default", DataFile);
        byte[] bytes = File.ReadAllBytes(data);
        File.WriteAllBytes(data, bytes[..^10]);
        ModelScanResult result = Scan.File(Path.Combine(root, "default", "manifest.ocdbt"));
        ModelFinding finding = Assert.Single(result.Findings);
        Assert.Equal("MA6377", finding.RuleId);
        Assert.Equal(64, finding.Offset);
    }

    [Fact]
    public void An_object_protocol_key_in_the_tree_metadata_is_reported()
    {
        ModelScanResult result = Scan.File(Path.Combine(Step("malicious/object_protocol_key"), "default", "_METADATA"));
        Assert.Equal("OrbaxMetadata", result.Format);
        Assert.Equal("custom_metadata.__reduce__", Assert.Single(result.Findings, f => f.RuleId == "MA1141").Evidence);
    }

    [Fact]
    public void A_pickle_stored_as_an_ocdbt_value_is_critical_and_scanned()
    {
        ModelScanResult result = Scan.File(Path.Combine(Step("malicious/pickle_value"), "default", "ocdbt.process_0", "manifest.ocdbt"));
        ModelFinding payload = Assert.Single(result.Findings, f => f.RuleId == "MA3179");
        Assert.Equal(Severity.Critical, payload.Severity);
        Assert.Equal("params.opt_state/0", payload.Evidence);

        // The pickle's own scan names what it calls, under the key as its member.
        ModelFinding call = Assert.Single(result.Findings, f => f.RuleId == "MA1001");
        Assert.Equal((Severity.Critical, "params.opt_state/0", "posix.system('echo orbax')"), (call.Severity, call.Member, call.Evidence));
    }

    [Fact]
    public void A_base64_pickle_in_the_metadata_and_a_pickle_codec_are_critical()
    {
        ModelScanResult metadata = Scan.File(Path.Combine(Step("malicious/pickle_in_metadata"), "default", "_METADATA"));
        Assert.Equal(Severity.Critical, Assert.Single(metadata.Findings, f => f.RuleId == "MA3179").Severity);
        Assert.Equal("custom_metadata.state", Assert.Single(metadata.Findings, f => f.RuleId == "MA1001").Member);
        ModelScanResult codec = Scan.File(Manifest("malicious/zarr_pickle_codec"));
        Assert.Equal("params.extra/.zarray.filters[0].id", Assert.Single(codec.Findings, f => f.RuleId == "MA3179").Evidence);
    }

    [Fact]
    public void A_value_named_pickle_is_a_codec_only_in_zarr_metadata()
    {
        byte[] json = "{\"tree_metadata\": {}, \"custom_metadata\": {\"name\": \"pickle\"}}"u8.ToArray();
        ModelScanResult orbax = Scan.Bytes(json, "_METADATA");
        Assert.Equal("OrbaxMetadata", orbax.Format);
        Assert.True(orbax.Outcome == ScanOutcome.Clean, orbax.Describe());
        ModelScanResult zarr = Scan.Bytes("{\"filters\": [{\"id\": \"pickle\"}], \"zarr_format\": 2}"u8.ToArray(), ".zarray");
        Assert.Equal("ZarrMetadata", zarr.Format);
        Assert.True(zarr.Has("MA3179", Severity.Critical), zarr.Describe());
    }

    [Fact]
    public void A_manifest_without_its_folder_is_inconclusive_not_clean()
    {
        ModelScanResult result = Scan.Bytes(File.ReadAllBytes(Manifest("benign")), "manifest.ocdbt");
        Assert.Equal("OcdbtManifest", result.Format);
        Assert.Equal("MA9069", Assert.Single(result.Findings).RuleId);
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
    }

    [Fact]
    public void A_data_file_that_starts_with_a_node_has_that_node_checked()
    {
        byte[] data = File.ReadAllBytes(Path.Combine(Step("benign"), "default", DataFile))[64..];
        ModelScanResult sound = Scan.Bytes(data, "5f3a8c7d1e2b4a6f9c0d1e2f3a4b5c6d");
        Assert.True(sound.Outcome == ScanOutcome.Clean, sound.Describe());
        Assert.Equal("OcdbtData", sound.Format);
        ModelScanResult cut = Scan.Bytes(data[..^8], "5f3a8c7d1e2b4a6f9c0d1e2f3a4b5c6d");
        Assert.Equal(4, Assert.Single(cut.Findings, f => f.RuleId == "MA6379").Offset);
    }

    [Fact]
    public void A_two_level_tree_is_walked_through_its_interior_node()
    {
        string root = Scan.Fixture("orbax/variants/two_level");
        Dictionary<string, ModelScanResult> results = ScanFolder(root);
        Assert.All(results.Values, r => Assert.True(r.Outcome == ScanOutcome.Clean, r.Describe()));
        Assert.Equal(new[] { "OcdbtData", "OcdbtManifest" }, results.Values.Select(r => r.Format).Order(StringComparer.Ordinal));

        // The leaves store keys relative to the interior node's subtree prefix; the finding names the whole key.
        ModelScanResult malicious = Scan.File(Path.Combine(Scan.Fixture("orbax/malicious/pickle_in_subtree"), "manifest.ocdbt"));
        Assert.Equal("params.opt_state/0", Assert.Single(malicious.Findings, f => f.RuleId == "MA3179").Evidence);
        Assert.Contains(malicious.Findings, f => f.RuleId == "MA1001" && f.Member == "params.opt_state/0");
    }

    [Fact]
    public void The_per_array_zarr_layout_before_ocdbt_has_its_metadata_checked()
    {
        Dictionary<string, ModelScanResult> results = ScanFolder(Scan.Fixture("orbax/variants/zarr_layout/1"));
        Assert.All(results.Values, r => Assert.True(r.Outcome == ScanOutcome.Clean, r.Describe()));
        Assert.Equal("ZarrMetadata", results["default/params.dense.kernel/.zarray"].Format);
        ModelScanResult codec = Scan.File(Scan.Fixture("orbax/malicious/zarr_layout_pickle_codec/1/default/params.extra/.zarray"));
        Assert.Equal("filters[0].id", Assert.Single(codec.Findings, f => f.RuleId == "MA3179").Evidence);
        Assert.Equal(ScanOutcome.Issues, codec.Outcome);
    }

    [Fact]
    public void The_older_msgpack_pytree_layout_is_read_as_flax_msgpack()
    {
        Dictionary<string, ModelScanResult> results = ScanFolder(Scan.Fixture("orbax/variants/pytree_msgpack/1"));
        Assert.All(results.Values, r => Assert.True(r.Outcome == ScanOutcome.Clean, r.Describe()));
        Assert.Equal("FlaxMsgpack", results["default/checkpoint"].Format);
        Assert.Equal("OrbaxMetadata", results["_CHECKPOINT_METADATA"].Format);
    }

    // Every byte of an uncompressed manifest and of its B+tree node, changed and re-sealed with a valid checksum so the
    // body decoders see it: each scan ends in findings or a reported parse error, never a scanner fault.
    [Fact]
    public void Resealed_mutations_of_a_manifest_and_its_node_never_fault_the_scanner()
    {
        string root = Copy("malicious/pickle_value");
        string manifest = Path.Combine(root, "default", "ocdbt.process_0", "manifest.ocdbt");
        string data = Path.Combine(root, "default", DataFile);
        byte[] manifestBytes = File.ReadAllBytes(manifest);
        byte[] dataBytes = File.ReadAllBytes(data);
        int nodeAt = dataBytes.AsSpan().IndexOf(new byte[] { 0x0C, 0xDB, 0x20, 0xDE }); // after the kernel chunk and the pickle
        Assert.True(nodeAt > 64);
        var engine = new ScanEngine(new ScanOptions());
        int scans = 0;
        foreach ((string path, byte[] original, int start) in new[] { (manifest, manifestBytes, 0), (data, dataBytes, nodeAt) })
        {
            for (int i = start + 12; i < original.Length - 4; i++)
            {
                foreach (byte value in new byte[] { 0x00, 0x7F, 0xFF })
                {
                    byte[] mutated = (byte[])original.Clone();
                    mutated[i] = value;
                    BinaryPrimitives.WriteUInt32LittleEndian(mutated.AsSpan(original.Length - 4), OcdbtEnvelope.Crc32C(mutated.AsSpan(start, original.Length - 4 - start)));
                    File.WriteAllBytes(path, mutated);
                    ModelScanResult result = engine.Scan(LocalFileSource.ItemFor(manifest), CancellationToken.None);
                    Assert.True(result.Outcome != ScanOutcome.Error && !result.Has("MA9010"), $"byte {i} = 0x{value:X2}: {result.Describe()}");
                    scans++;
                }
            }

            File.WriteAllBytes(path, original);
        }

        Assert.True(scans > 300, $"{scans} scans");
    }

    [Fact]
    public void Crc32c_matches_the_check_value_of_the_castagnoli_polynomial()
    {
        // The standard check value: CRC-32C of the ASCII digits 1 to 9.
        Assert.Equal(0xE3069283u, OcdbtEnvelope.Crc32C("123456789"u8));
    }
}
