using System.Reflection;
using System.Security.Cryptography;
using ModelAudit.Engine.Scanning;
using ModelAudit.Engine.Sources;

namespace ModelAudit.Engine.Tests;

/// <summary>The pipeline around the scanners: hashing, determinism, parallel order, limits, the file walk, exit codes.</summary>
public sealed class EngineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("modelaudit-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string relative, byte[] data)
    {
        string path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, data);
        return path;
    }

    [Fact]
    public void Sha256_is_computed_in_the_scan_pass_and_matches()
    {
        foreach (string name in new[] { "benign/torch_state_dict.pt", "benign/sklearn_forest_gzip.joblib", "malicious/polyglot_pickle_zip.pkl" })
        {
            string path = Scan.Fixture(name);
            ModelScanResult result = Scan.File(path);
            Assert.Equal(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant(), result.Sha256);
        }
    }

    [Fact]
    public void SkipHash_leaves_the_hash_out()
    {
        Assert.Null(Scan.File(Scan.Fixture("benign/torch_state_dict.pt"), new ScanOptions { SkipHash = true }).Sha256);
    }

    [Fact]
    public void The_same_input_gives_the_same_findings_in_the_same_order()
    {
        string path = Scan.Fixture("malicious/nested_pickle_loads.pkl");
        string first = Scan.File(path).Describe();
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(first, Scan.File(path).Describe());
        }
    }

    [Fact]
    public void Parallel_results_come_back_in_input_order_whatever_the_thread_count()
    {
        string[] files = Directory.GetFiles(Scan.Fixture("benign")).Concat(Directory.GetFiles(Scan.Fixture("malicious"))).Order(StringComparer.Ordinal).ToArray();
        var engine = new ScanEngine(new ScanOptions());
        var items = files.Select(f => LocalFileSource.ItemFor(f)).ToArray();
        string Run(int throttle)
        {
            using var scan = new ParallelScan(engine, items, throttle, CancellationToken.None);
            return string.Join("\n", Enumerable.Range(0, items.Length).Select(i => scan.Take(i, CancellationToken.None).Describe()));
        }

        Assert.Equal(Run(1), Run(4));
    }

    [Fact]
    public void Files_over_the_size_limit_are_inconclusive()
    {
        ModelScanResult result = Scan.File(Scan.Fixture("benign/torch_state_dict.pt"), new ScanOptions { MaxFileSize = 10 });
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
        Assert.True(result.Has("MA9005"));
    }

    [Fact]
    public void The_reason_for_an_inconclusive_outcome_survives_the_severity_filter()
    {
        var options = new ScanOptions { MaxFileSize = 10, MinimumSeverity = Severity.Warning };
        ModelScanResult result = Scan.File(Scan.Fixture("benign/torch_state_dict.pt"), options);
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
        Assert.Equal("MA9005", Assert.Single(result.Findings).RuleId);

        ModelScanResult info = Scan.File(Scan.Fixture("benign/torch_full_custom_module.pt"), options with { MaxFileSize = null });
        Assert.Empty(info.Findings);
    }

    [Fact]
    public void A_timeout_is_inconclusive_and_keeps_what_was_found()
    {
        var p = new PickleBuilder().Proto(4).Call("os", "system", "id").Pop().EmptyList().Mark();
        for (int i = 0; i < 3_000_000; i++)
        {
            p.Int(1);
        }

        byte[] data = p.Op('e').Stop().ToArray();
        ModelScanResult result = Scan.Bytes(data, "model.pkl", new ScanOptions { Timeout = TimeSpan.FromTicks(1) });
        Assert.True(result.Has("MA9006") || result.Has("MA1001"), result.Describe());
    }

    [Fact]
    public void Unreadable_files_are_errors_not_crashes()
    {
        var item = new ScanItem("/nowhere/model.pt", 10, () => throw new FileNotFoundException("gone"));
        ModelScanResult result = new ScanEngine(new ScanOptions()).Scan(item, CancellationToken.None);
        Assert.Equal(ScanOutcome.Error, result.Outcome);
        Assert.Contains("gone", result.Errors.Single());
    }

    [Fact]
    public void Folders_are_walked_in_name_order_with_include_exclude_and_recurse()
    {
        Write("b.pkl", PickleBuilder.Gadget("os", "system"));
        Write("a.pkl", PickleBuilder.Gadget("os", "system"));
        Write("notes.txt", "hi"u8.ToArray());
        Write("sub/c.pkl", PickleBuilder.Gadget("os", "system"));
        var events = new List<SourceEvent>();

        string[] Names(ScanOptions o) => LocalFileSource.Enumerate(_dir, o, events.Add).Select(i => Path.GetRelativePath(_dir, i.Path)).ToArray();

        Assert.Equal(new[] { "a.pkl", "b.pkl", "notes.txt" }, Names(new ScanOptions()));
        Assert.Equal(new[] { "a.pkl", "b.pkl", "notes.txt", Path.Combine("sub", "c.pkl") }, Names(new ScanOptions { Recurse = true }));
        Assert.Equal(new[] { "a.pkl", "b.pkl", Path.Combine("sub", "c.pkl") }, Names(new ScanOptions { Recurse = true, Include = new[] { "*.PKL" } }));
        Assert.Equal(new[] { "a.pkl", "notes.txt" }, Names(new ScanOptions { Exclude = new[] { "b*" } }));
        Assert.Equal(new[] { "a.pkl", "b.pkl", Path.Combine("sub", "c.pkl") }, LocalFileSource.Enumerate(_dir, new ScanOptions { Recurse = true },
            events.Add, name => name.EndsWith(".pkl", StringComparison.Ordinal)).Select(i => Path.GetRelativePath(_dir, i.Path)));

        // Only notes for -Verbose: what the filters left out, and the sub-folder a walk without -Recurse did not enter.
        Assert.All(events, e => Assert.True(e.Kind is SourceEventKind.Filtered or SourceEventKind.SubfoldersNotWalked, e.ToString()));
        Assert.Contains(events, e => e.Kind == SourceEventKind.SubfoldersNotWalked && e.Path == _dir && e.Message.StartsWith("1 sub-folder", StringComparison.Ordinal));
        Assert.Contains(events, e => e.Kind == SourceEventKind.Filtered && e.Path == Path.Combine(_dir, "notes.txt"));
    }

    [Fact]
    public void File_links_are_scanned_anywhere_while_folder_links_out_of_the_root_and_loops_are_reported()
    {
        string outside = Directory.CreateTempSubdirectory("modelaudit-outside-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(outside, "secret.pkl"), PickleBuilder.Gadget("os", "system"));
            Write("model.pkl", PickleBuilder.Gadget("os", "system"));
            Directory.CreateSymbolicLink(Path.Combine(_dir, "escape"), outside);
            File.CreateSymbolicLink(Path.Combine(_dir, "escape.pkl"), Path.Combine(outside, "secret.pkl"));
            Directory.CreateDirectory(Path.Combine(_dir, "loop"));
            Directory.CreateSymbolicLink(Path.Combine(_dir, "loop", "back"), _dir);
            Write("loop/inner.pkl", PickleBuilder.Gadget("os", "system"));

            File.CreateSymbolicLink(Path.Combine(_dir, "dangling.pkl"), Path.Combine(outside, "gone.pkl"));

            var events = new List<SourceEvent>();
            ScanItem[] scanned = LocalFileSource.Enumerate(_dir, new ScanOptions { Recurse = true }, events.Add).ToArray();
            var items = scanned.Select(i => Path.GetRelativePath(_dir, i.Path)).ToArray();

            // The file link is scanned under its own name, with the file it reads recorded (a Hugging Face snapshot).
            Assert.Equal(new[] { "escape.pkl", "model.pkl", Path.Combine("loop", "inner.pkl") }, items);
            Assert.Equal(Path.Combine(outside, "secret.pkl"), scanned[0].Info.LinkTarget);
            Assert.Equal(new FileInfo(Path.Combine(outside, "secret.pkl")).Length, scanned[0].Length);
            Assert.Single(events, e => e.Kind == SourceEventKind.LinkOutsideRoot && e.Path == Path.Combine(_dir, "escape"));
            Assert.Single(events, e => e.Kind == SourceEventKind.LinkLoop);
            Assert.Single(events, e => e.Kind == SourceEventKind.DanglingLink && e.Path == Path.Combine(_dir, "dangling.pkl"));

            // Skipped links obey the filters: -Include *.pt says nothing about the .pkl links.
            events.Clear();
            Assert.Empty(LocalFileSource.Enumerate(_dir, new ScanOptions { Include = new[] { "*.pt" } }, events.Add));
            Assert.DoesNotContain(events, e => e.Kind is SourceEventKind.DanglingLink or SourceEventKind.LinkOutsideRoot);

            ModelScanResult result = new ScanEngine(new ScanOptions()).Scan(scanned[0], CancellationToken.None);
            Assert.Equal(Path.Combine(_dir, "escape.pkl"), result.Path);
            Assert.Equal(Path.Combine(outside, "secret.pkl"), result.LinkTarget);
            Assert.Equal(ScanOutcome.Issues, result.Outcome);
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Theory]
    [InlineData(new[] { "benign/cpython_dict_p4.pkl" }, 0)]
    [InlineData(new[] { "benign/cpython_dict_p4.pkl", "malicious/os_system_p4.pkl" }, 1)]
    [InlineData(new string[0], 2)]
    public void Exit_codes(string[] fixtures, int expected)
    {
        var results = fixtures.Select(f => Scan.File(Scan.Fixture(f))).ToArray();
        Assert.Equal(expected, ExitCode.For(results, hadErrors: false));
    }

    [Fact]
    public void Findings_take_precedence_over_errors_in_exit_codes()
    {
        var results = new[] { Scan.File(Scan.Fixture("malicious/os_system_p4.pkl")) };
        Assert.Equal(ExitCode.Findings, ExitCode.For(results, hadErrors: true));
        Assert.Equal(ExitCode.Incomplete, ExitCode.For(new[] { Scan.File(Scan.Fixture("benign/cpython_dict_p4.pkl")) }, hadErrors: true));
    }

    [Fact]
    public void The_engine_does_not_reference_powershell()
    {
        Assembly engine = typeof(ScanEngine).Assembly;
        Assert.DoesNotContain(engine.GetReferencedAssemblies(), a => a.Name!.StartsWith("System.Management.Automation", StringComparison.Ordinal));
        Assert.DoesNotContain(typeof(ModelFinding).Assembly.GetReferencedAssemblies(), a => a.Name!.StartsWith("System.Management", StringComparison.Ordinal));
    }

    [Fact]
    public void An_oci_image_layout_is_scanned_blob_by_blob_with_the_digest_in_the_path()
    {
        byte[] layer = ArchiveBuilder.Tar(("opt/model/weights.pkl", PickleBuilder.Gadget("os", "system", "id")));
        var gz = new MemoryStream();
        using (var z = new System.IO.Compression.GZipStream(gz, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            z.Write(layer);
        }

        string digest = Convert.ToHexString(SHA256.HashData(gz.ToArray())).ToLowerInvariant();
        Write("oci-layout", "{\"imageLayoutVersion\": \"1.0.0\"}"u8.ToArray());
        Write("index.json", System.Text.Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"manifests\":[{{\"digest\":\"sha256:{digest}\"}}]}}"));
        Write(Path.Combine("blobs", "sha256", digest), gz.ToArray());

        var engine = new ScanEngine(new ScanOptions { Recurse = true });
        var results = LocalFileSource.Enumerate(_dir, engine.Options, _ => { }).Select(i => engine.Scan(i, CancellationToken.None)).ToArray();
        ModelScanResult blob = Assert.Single(results, r => r.Findings.Any(f => f.RuleId == "MA1001"));
        Assert.EndsWith(digest, blob.Path, StringComparison.Ordinal);
        Assert.Equal("decompressed!opt/model/weights.pkl", blob.Findings.Single(f => f.RuleId == "MA1001").Member);
    }
}
