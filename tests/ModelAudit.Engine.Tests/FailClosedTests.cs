using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using ModelAudit.Engine.Scanning;
using ModelAudit.Engine.Sources;

namespace ModelAudit.Engine.Tests;

/// <summary>
/// The review's root causes, each with its example and variants: inputs that CPython's unpickler (or zipfile +
/// pickle) runs must never be Clean. Every payload here reaches os.system (or another denied callable) in CPython.
/// </summary>
public sealed class FailClosedTests
{
    private const string Call = "cos\nsystem\n(S'id'\ntR.";

    private static void AssertFlagged(ModelScanResult result) =>
        Assert.True(result.Findings.Any(f => f.Severity >= Severity.Warning), result.Describe());

    private static void AssertCritical(ModelScanResult result, string? member = null) =>
        Assert.True(result.Findings.Any(f => f.Severity == Severity.Critical && (member is null || f.Member == member)), result.Describe());

    // 1. Detection by thresholds and by order: every code-bearing reading is scanned.

    [Theory]
    [InlineData(9_000)]
    [InlineData(8_191)]
    [InlineData(200_000)]
    public void A_protocol_0_pickle_whose_first_argument_outgrows_the_head_is_scanned(int length)
    {
        byte[] data = Encoding.ASCII.GetBytes("S'" + new string('a', length) + "'\n0" + Call);
        AssertCritical(Scan.Bytes(data, "notes.txt"));
    }

    [Theory]
    [InlineData("I0x10\n0")]
    [InlineData("I010\n0")]
    [InlineData("I1_000\n0")]
    [InlineData("L0x1FL\n0")]
    [InlineData("I -7\n0")]
    public void Integers_written_as_cpython_parses_them_do_not_hide_the_pickle(string prefix) =>
        AssertCritical(Scan.Bytes(Encoding.ASCII.GetBytes(prefix + Call), "model.pkl"));

    [Theory]
    [InlineData("GIF89a\x01\x00\x01", "image.gif")]
    [InlineData("GIF87a\x20\x00\x10", "logo.gif")]
    [InlineData("Vthis is the model card\n", "README.md")]
    public void A_prefix_that_looks_like_another_format_does_not_exclude_the_pickle_reading(string prefix, string name)
    {
        // 'G' is BINFLOAT: CPython reads "GIF89a.." as a float, pops it, and goes on to the call.
        byte[] data = Encoding.Latin1.GetBytes(prefix + "0" + Call);
        AssertCritical(Scan.Bytes(data, name));
    }

    [Theory]
    [InlineData("Pstorage\n0")]
    [InlineData("GIF89a\x01\x00\x01Pstorage\n00")]
    public void A_torch_data_pkl_that_also_reads_as_another_format_keeps_its_pickle_reading(string prefix)
    {
        // torch.load's unpickler has a persistent_load, so a persistent id first does not stop it.
        byte[] pickle = Encoding.Latin1.GetBytes(prefix + Call);
        byte[] zip = ArchiveBuilder.Zip(("archive/data.pkl", pickle), ("archive/version", Encoding.ASCII.GetBytes("3\n")));
        AssertCritical(Scan.Bytes(zip, "model.pt"), "archive/data.pkl");
    }

    // 2. One list for one fact: a second stream may start with any opcode CPython accepts first.

    [Theory]
    [InlineData("S'x'\n0")]
    [InlineData("Vx\n0")]
    [InlineData("X\x01\x00\x00\x00x0")]
    [InlineData("(")]
    public void A_second_stream_starting_with_any_opcode_is_scanned(string start)
    {
        byte[] first = new PickleBuilder().Proto(2).EmptyDict().Stop().ToArray();
        byte[] second = Encoding.Latin1.GetBytes(start + (start == "(" ? "0" : "") + Call);
        AssertCritical(Scan.Bytes(first.Concat(second).ToArray(), "model.pkl"));
    }

    [Fact]
    public void The_memo_carries_across_streams_as_in_cpython()
    {
        // Stream 1 memoizes os.system; stream 2 fetches it with GET and calls it.
        byte[] first = Encoding.ASCII.GetBytes("cos\nsystem\np0\n0N.");
        byte[] second = Encoding.ASCII.GetBytes("g0\n(S'id'\ntR.");
        AssertCritical(Scan.Bytes(first.Concat(second).ToArray(), "model.pkl"));
    }

    // 3. Count limits never end silently.

    [Theory]
    [InlineData(3, 5)]
    [InlineData(1, 2)]
    [InlineData(10, 40)]
    public void More_pickle_streams_than_the_limit_is_inconclusive(int limit, int streams)
    {
        byte[] one = new PickleBuilder().Proto(2).EmptyDict().Stop().ToArray();
        byte[] data = Enumerable.Repeat(one, streams).SelectMany(b => b).ToArray();
        var options = new ScanOptions { Limits = new ScanLimits { MaxPickleStreams = limit } };
        ModelScanResult result = Scan.Bytes(data, "model.pkl", options);
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
        Assert.True(result.Has("MA9002"), result.Describe());
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(2, 4)]
    public void More_hidden_local_entries_than_the_limit_is_reported(int limit, int hidden)
    {
        byte[] benign = new PickleBuilder().Proto(2).EmptyDict().Stop().ToArray();
        byte[] zip = ArchiveBuilder.Zip(Enumerable.Range(0, hidden + 1).Select(i => ($"m{i}.pkl", benign)).ToArray());
        UnderCount(zip, 1);
        var options = new ScanOptions { Limits = new ScanLimits { MaxArchiveEntries = limit } };
        ModelScanResult result = Scan.Bytes(zip, "model.zip", options);
        Assert.NotEqual(ScanOutcome.Clean, result.Outcome);
        Assert.True(result.Has("MA9002"), result.Describe());
    }

    // 4. The zip directory is read by size and by count; junk between entries does not end the local walk.

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public void An_end_record_that_under_counts_does_not_hide_a_member(int count)
    {
        byte[] zip = ArchiveBuilder.Zip(("a.pkl", new PickleBuilder().Proto(2).EmptyDict().Stop().ToArray()), ("b.pkl", PickleBuilder.Gadget("os", "system", "id")));
        UnderCount(zip, count);
        ModelScanResult result = Scan.Bytes(zip, "model.zip");
        AssertCritical(result, "b.pkl");
    }

    [Fact]
    public void An_end_record_that_over_counts_is_a_disagreement_and_the_members_are_still_scanned()
    {
        byte[] zip = ArchiveBuilder.Zip(("a.pkl", PickleBuilder.Gadget("os", "system", "id")));
        int end = ArchiveBuilder.Find(zip, "PK\x05\x06").Last();
        ArchiveBuilder.SetUInt16(zip, end + 8, 5);
        ArchiveBuilder.SetUInt16(zip, end + 10, 5);
        AssertCritical(Scan.Bytes(zip, "model.zip"), "a.pkl");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(70_000)]
    public void Junk_between_local_entries_does_not_end_the_walk(int junk)
    {
        byte[] first = ArchiveBuilder.Zip(("a.txt", Encoding.ASCII.GetBytes("hello")));
        byte[] second = ArchiveBuilder.Zip(("b.pkl", PickleBuilder.Gadget("os", "system", "id")));
        // Local entries of a, junk, local entries of b, with only a's directory: b is reachable to streaming readers.
        int firstCentral = ArchiveBuilder.Find(first, "PK\x01\x02")[0];
        int secondCentral = ArchiveBuilder.Find(second, "PK\x01\x02")[0];
        byte[] data = first[..firstCentral].Concat(new byte[junk]).Concat(second[..secondCentral]).ToArray();
        ModelScanResult result = Scan.Bytes(data, "model.zip");
        AssertCritical(result, "b.pkl");
    }

    [Fact]
    public void Data_prepended_to_a_zip_does_not_hide_its_members()
    {
        byte[] zip = ArchiveBuilder.Zip(("b.pkl", PickleBuilder.Gadget("os", "system", "id")));
        byte[] data = Encoding.ASCII.GetBytes("#!/bin/sh\nexit 0\n").Concat(zip).ToArray();
        AssertCritical(Scan.Bytes(data, "model.zip"), "b.pkl");
    }

    // 5. The guard is per member: one member's overflow does not abandon the others.

    [Theory]
    [InlineData(0x7FFFFFF0)]
    [InlineData(int.MaxValue)]
    [InlineData(-1)]
    public void An_executable_header_with_an_extreme_e_lfanew_does_not_abandon_later_members(int elfanew)
    {
        byte[] mz = new byte[128];
        mz[0] = (byte)'M';
        mz[1] = (byte)'Z';
        BinaryPrimitives.WriteInt32LittleEndian(mz.AsSpan(0x3C), elfanew);
        byte[] zip = ArchiveBuilder.Zip(("a.exe", mz), ("b.pkl", PickleBuilder.Gadget("os", "system", "id")));
        ModelScanResult result = Scan.Bytes(zip, "model.zip");
        AssertCritical(result, "b.pkl");
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(long.MaxValue - 7)]
    [InlineData(long.MinValue)]
    public void A_bytes8_length_near_two_to_the_63_does_not_abandon_later_members(long length)
    {
        byte[] huge = new PickleBuilder().Proto(4).Bytes8(length, new byte[16]).Stop().ToArray();
        byte[] zip = ArchiveBuilder.Zip(("a.pkl", huge), ("b.pkl", PickleBuilder.Gadget("os", "system", "id")));
        ModelScanResult result = Scan.Bytes(zip, "model.zip");
        AssertCritical(result, "b.pkl");
    }

    [Fact]
    public void A_call_before_a_huge_length_stays_critical_in_the_same_member()
    {
        byte[] data = new PickleBuilder().Proto(4).Global("os", "system").Str("id").Tuple1().Reduce().Pop()
            .Bytes8(long.MaxValue, new byte[16]).Stop().ToArray();
        ModelScanResult result = Scan.Bytes(data, "model.pkl");
        AssertCritical(result);
    }

    // 6. Denylist first, and grading by use.

    [Theory]
    [InlineData("numpy", "memmap")]
    [InlineData("numpy.core.memmap", "memmap")]
    public void An_allowlisted_type_that_is_denylisted_is_flagged_when_called(string module, string name)
    {
        byte[] data = new PickleBuilder().Proto(2).Global(module, name).Str("/tmp/x").Str("w+").Tuple2().Reduce().Stop().ToArray();
        AssertFlagged(Scan.Bytes(data, "model.pkl"));
    }

    [Theory]
    [InlineData("subprocess", "Popen")]
    [InlineData("os", "system")]
    [InlineData("builtins", "exec")]
    public void Copyreg_reconstructor_grades_its_base_as_a_call(string module, string name)
    {
        // copyreg._reconstructor(cls, base, state) runs base.__new__(cls, state) and base.__init__(obj, state).
        byte[] data = new PickleBuilder().Proto(2).Global("copyreg", "_reconstructor")
            .Global("collections", "OrderedDict").Global(module, name).Str("id").Tuple3().Reduce().Stop().ToArray();
        AssertFlagged(Scan.Bytes(data, "model.pkl"));
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 })]
    [InlineData(new byte[] { (byte)'P', (byte)'K', 3, 4, 0, 0 })]
    public void Torch_load_from_bytes_of_bytes_that_read_as_nothing_stays_a_finding(byte[] payload)
    {
        byte[] data = new PickleBuilder().Proto(2).Global("torch.storage", "_load_from_bytes").Bytes(payload).Tuple1().Reduce().Stop().ToArray();
        ModelScanResult result = Scan.Bytes(data, "model.pkl");
        Assert.True(result.Has("MA1003", Severity.Critical), result.Describe());
    }

    [Fact]
    public void Torch_load_from_bytes_of_a_pickle_is_scanned_as_the_pickle_it_is()
    {
        byte[] data = new PickleBuilder().Proto(2).Global("torch.storage", "_load_from_bytes")
            .Bytes(PickleBuilder.Gadget("os", "system", "id")).Tuple1().Reduce().Stop().ToArray();
        ModelScanResult result = Scan.Bytes(data, "model.pkl");
        Assert.True(result.Findings.Any(f => f.RuleId == "MA1001" && f.Member is not null), result.Describe());
    }

    // 7. Files that are not regular files are never opened, and never Clean.

    [Fact]
    public void A_fifo_is_reported_without_being_opened()
    {
        string dir = Directory.CreateTempSubdirectory("modelaudit-fifo").FullName;
        try
        {
            string fifo = Path.Combine(dir, "model.pkl");
            Process.Start("mkfifo", fifo)!.WaitForExit();
            ScanItem item = Assert.Single(LocalFileSource.Enumerate(dir, new ScanOptions(), _ => { }));
            Assert.Contains("FIFO", item.NotRegularReason);
            ModelScanResult result = new ScanEngine(new ScanOptions()).Scan(item, CancellationToken.None);
            Assert.Equal(ScanOutcome.Error, result.Outcome);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/dev/null")]
    public void A_device_is_reported_without_being_opened(string path)
    {
        ScanItem item = LocalFileSource.ItemFor(path);
        Assert.Equal("a character device", item.NotRegularReason);
        Assert.Equal(ScanOutcome.Error, new ScanEngine(new ScanOptions()).Scan(item, CancellationToken.None).Outcome);
    }

    [Theory]
    [InlineData("model.pkl")]
    [InlineData("weights.safetensors")]
    [InlineData("pytorch_model.bin")]
    public void An_empty_file_under_a_model_name_is_inconclusive(string name)
    {
        ModelScanResult result = Scan.Bytes(Array.Empty<byte>(), name);
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
        Assert.True(result.Has("MA9009"), result.Describe());
    }

    [Fact]
    public void An_empty_file_under_another_name_is_clean() =>
        Assert.Equal(ScanOutcome.Clean, Scan.Bytes(Array.Empty<byte>(), "empty.txt").Outcome);

    // 8. The outcome comes from every finding; -MinimumSeverity only filters what is shown.

    [Theory]
    [InlineData(Severity.Critical)]
    [InlineData(Severity.Warning)]
    public void A_file_with_findings_below_the_threshold_keeps_its_outcome(Severity threshold)
    {
        // A non-allowlisted call is a Warning; builtins.getattr on a module is not needed for it.
        byte[] data = new PickleBuilder().Proto(2).Global("somepackage.module", "factory").EmptyTuple().Reduce().Stop().ToArray();
        ModelScanResult all = Scan.Bytes(data, "model.pkl");
        ModelScanResult filtered = Scan.Bytes(data, "model.pkl", new ScanOptions { MinimumSeverity = threshold });
        Assert.Equal(ScanOutcome.Issues, all.Outcome);
        Assert.Equal(ScanOutcome.Issues, filtered.Outcome);
        Assert.All(filtered.Findings, f => Assert.True(f.Severity >= threshold || f.RuleId.StartsWith("MA9", StringComparison.Ordinal)));
    }

    [Fact]
    public void Findings_shown_below_the_threshold_are_only_the_ones_that_explain_an_inconclusive_outcome()
    {
        var options = new ScanOptions { MinimumSeverity = Severity.Critical, Limits = new ScanLimits { MaxPickleStreams = 1 } };
        byte[] one = new PickleBuilder().Proto(2).EmptyDict().Stop().ToArray();
        ModelScanResult result = Scan.Bytes(one.Concat(one).ToArray(), "model.pkl", options);
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
        Assert.True(result.Has("MA9002"), result.Describe());
    }

    // Rewrites the end record's entry counts (this disk and total) to under-count the directory.
    private static void UnderCount(byte[] zip, int count)
    {
        int end = ArchiveBuilder.Find(zip, "PK\x05\x06").Last();
        ArchiveBuilder.SetUInt16(zip, end + 8, (ushort)count);
        ArchiveBuilder.SetUInt16(zip, end + 10, (ushort)count);
    }
}
