namespace ModelAudit.Engine.Tests;

/// <summary>
/// zipfile opens any file by its end record, wherever the archive starts, so a zip that follows a pickle, or sits
/// inside one of its bytes arguments, is read by every loader that opens the file with zipfile. Storage blobs of a
/// PyTorch zip that hold a pickle are scanned as one (defence in depth: torch reads them as raw bytes).
/// </summary>
public sealed class PickleZipInterpretationTests
{
    private static readonly byte[] s_payload = PickleBuilder.Gadget("os", "system", "id");
    private static readonly byte[] s_benign = new PickleBuilder().Proto(4).EmptyDict().Stop().ToArray();

    [Fact]
    public void A_zip_after_a_small_pickle_is_scanned_as_the_second_reading_it_is()
    {
        // BININT 65536, STOP, then a zip whose member x.bin runs os.system.
        byte[] pickle = new PickleBuilder().Op('J').Raw("\x00\x00\x01\x00").Stop().ToArray();
        byte[] zip = ArchiveBuilder.Zip(("x.bin", s_payload));
        ModelScanResult result = Scan.Bytes(pickle.Concat(zip).ToArray(), "model.pt");
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Member == "x.bin");
        Assert.NotEqual(ScanOutcome.Clean, result.Outcome);
    }

    [Fact]
    public void A_torch_zip_carried_as_a_bytes_argument_is_scanned_through_its_end_record()
    {
        // mypkg.Holder(b'<torch zip>'): no loader call names the bytes, but zipfile.ZipFile(file) reads the members.
        byte[] torch = ArchiveBuilder.Zip(("archive/data.pkl", s_payload), ("archive/version", "3\n"u8.ToArray()));
        byte[] outer = new PickleBuilder().Proto(4).Str("mypkg").Str("Holder").StackGlobal()
            .Mark().Bytes(torch).Tuple().Reduce().Stop().ToArray();
        ModelScanResult result = Scan.Bytes(outer, "model.pkl");
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Member!.EndsWith("archive/data.pkl", StringComparison.Ordinal));
    }

    [Fact]
    public void A_benign_zip_inside_a_benign_pickle_adds_no_warning()
    {
        byte[] inner = ArchiveBuilder.Zip(("config.json", "{\"a\": 1}"u8.ToArray()));
        byte[] outer = new PickleBuilder().Proto(4).EmptyDict().Str("blob").Bytes(inner).SetItem().Stop().ToArray();
        ModelScanResult result = Scan.Bytes(outer, "model.pkl");
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.DoesNotContain(result.Findings, f => f.Severity >= Severity.Warning);
    }

    [Fact]
    public void A_protocol_2_pickle_stored_as_a_storage_blob_is_scanned_even_after_benign_data()
    {
        // pickle.dumps([list(range(50)), {...}, P()], protocol=2) where P reduces to commands.check_output (Python 2
        // name of subprocess.check_output): the call comes after 200 bytes of plain data.
        byte[] blob = Convert.FromHexString(
            "80025d7100285d7101284b004b014b024b034b044b054b064b074b084b094b0a4b0b4b0c4b0d4b0e4b0f4b104b114b124b134b144b154b16" +
            "4b174b184b194b1a4b1b4b1c4b1d4b1e4b1f4b204b214b224b234b244b254b264b274b284b294b2a4b2b4b2c4b2d4b2e4b2f4b304b3165" +
            "7d7102285801000000617103473ff80000000000005801000000627104582800000078787878787878787878787878787878787878787878" +
            "78787878787878787878787878787878787871057563636f6d6d616e64730a636865636b5f6f75747075740a71065d710728580400000065" +
            "63686f7108580500000070776e656471096585710a52710b652e");
        byte[] zip = ArchiveBuilder.Zip(("archive/data.pkl", s_benign), ("archive/data/0", blob), ("archive/version", "3\n"u8.ToArray()));
        ModelScanResult result = Scan.Bytes(zip, "model.pt");
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Member == "archive/data/0");
    }

    [Fact]
    public void A_deflated_storage_blob_is_scanned_from_its_first_byte()
    {
        // Sniffing a compressed member reads its head from the inflater: the scan must get those bytes back.
        byte[] zip = ArchiveBuilder.Zip(System.IO.Compression.CompressionLevel.Optimal,
            ("archive/data.pkl", s_benign), ("archive/data/0", s_payload), ("archive/version", "3\n"u8.ToArray()));
        ModelScanResult result = Scan.Bytes(zip, "model.pt");
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Member == "archive/data/0");
    }

    [Fact]
    public void A_protocol_0_pickle_stored_as_a_storage_blob_is_scanned()
    {
        byte[] blob = "(dp0\nV0\np1\ncsubprocess\ncheck_output\np2\n(Vid\np3\ntp4\nRp5\ns."u8.ToArray();
        byte[] zip = ArchiveBuilder.Zip(("archive/data.pkl", s_benign), ("archive/data/0", blob), ("archive/version", "3\n"u8.ToArray()));
        ModelScanResult result = Scan.Bytes(zip, "model.pt");
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Member == "archive/data/0");
    }
}
