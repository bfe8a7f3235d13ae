using System.Security.Cryptography;
using System.Text;
using ModelAudit.Engine.Scanning;
using ModelAudit.Engine.Tests.Remote;

namespace ModelAudit.Engine.Tests;

/// <summary>DVC pointers and dvc.lock in a local project: outputs resolved by md5 through the cache and the default
/// remote (local folder or http), scanned as members of the pointer.</summary>
public sealed class DvcTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ma-dvc-" + Guid.NewGuid().ToString("N"));
    private readonly string _project;
    private readonly string _storage;

    public DvcTests()
    {
        _project = Path.Combine(_root, "project");
        _storage = Path.Combine(_root, "storage");
        Directory.CreateDirectory(Path.Combine(_project, ".dvc"));
        Directory.CreateDirectory(_storage);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string Md5(byte[] content) => Convert.ToHexString(MD5.HashData(content)).ToLowerInvariant();

    private void Config(string url) => File.WriteAllText(Path.Combine(_project, ".dvc", "config"),
        $"[core]\n    remote = storage\n    autostage = true\n['remote \"storage\"']\n    url = {url}\n");

    // Stores content under its md5 in a DVC 3 (files/md5/ab/cd…) or DVC 2 (ab/cd…) layout below a folder.
    private static string Store(string folder, byte[] content, bool dvc3 = true, string suffix = "")
    {
        string md5 = Md5(content) + suffix;
        string path = Path.Combine(folder, dvc3 ? Path.Combine("files", "md5") : string.Empty, md5[..2], md5[2..]);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return md5;
    }

    private string Pointer(string relative, string outPath, string md5, long size, bool dvc3 = true)
    {
        string path = Path.Combine(_project, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, $"outs:\n- md5: {md5}\n  size: {size}\n{(dvc3 ? "  hash: md5\n" : string.Empty)}  path: {outPath}\n");
        return path;
    }

    [Fact]
    public void A_pointer_whose_model_is_in_a_local_remote_is_scanned_through_it()
    {
        Config("../../storage");
        byte[] evil = RemoteScan.EvilPickle();
        byte[] clean = RemoteScan.SafeTensors();
        string evilPointer = Pointer("models/model.pkl.dvc", "model.pkl", Store(_storage, evil), evil.Length);
        string cleanPointer = Pointer("models/weights.safetensors.dvc", "weights.safetensors", Store(_storage, clean), clean.Length);

        ModelScanResult bad = Scan.File(evilPointer);
        ModelScanResult good = Scan.File(cleanPointer);

        Assert.Equal("DvcPointer", bad.Format);
        ModelFinding finding = Assert.Single(bad.Findings, f => f.RuleId == "MA1001");
        Assert.Equal((Severity.Critical, "model.pkl"), (finding.Severity, finding.Member));
        Assert.Equal(ScanOutcome.Issues, bad.Outcome);
        Assert.Equal(ScanOutcome.Clean, good.Outcome);
    }

    [Fact]
    public void The_cache_is_read_first_in_either_layout_and_a_dvc_lock_names_its_stage_outputs()
    {
        byte[] evil = RemoteScan.EvilPickle();
        string md5 = Store(Path.Combine(_project, ".dvc", "cache"), evil, dvc3: false);
        string lockFile = Path.Combine(_project, "dvc.lock");
        File.WriteAllText(lockFile, "schema: '2.0'\nstages:\n  train:\n    cmd: python train.py\n    deps:\n    - path: train.py\n      md5: 00000000000000000000000000000000\n"
            + $"    outs:\n    - path: out/model.pkl\n      md5: {md5}\n      size: {evil.Length}\n");

        ModelScanResult result = Scan.File(lockFile);

        Assert.Equal("out/model.pkl", Assert.Single(result.Findings, f => f.RuleId == "MA1001").Member);
        Assert.DoesNotContain(result.Findings, f => f.RuleId == "MA9035"); // deps are inputs, not followed
    }

    [Fact]
    public void A_folder_output_scans_each_file_its_listing_names()
    {
        Config(_storage);
        byte[] evil = RemoteScan.EvilPickle();
        byte[] clean = RemoteScan.SafeTensors();
        string listing = $"[{{\"md5\": \"{Store(_storage, clean)}\", \"relpath\": \"a/weights.safetensors\"}}, {{\"md5\": \"{Store(_storage, evil)}\", \"relpath\": \"b/model.pkl\"}}]";
        byte[] listingBytes = Encoding.UTF8.GetBytes(listing);
        string dirMd5 = Store(_storage, listingBytes, suffix: ".dir");
        string pointer = Pointer("models.dvc", "models", dirMd5, 0);

        ModelScanResult result = Scan.File(pointer);

        Assert.Equal("models/b/model.pkl", Assert.Single(result.Findings, f => f.RuleId == "MA1001").Member);
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Theory]
    [InlineData("../../etc/evil.pkl")]
    [InlineData("/etc/cron.d/evil")]
    [InlineData("..\\evil.pkl")]
    public void An_output_path_that_leaves_the_project_is_critical(string outPath)
    {
        Config(_storage);
        byte[] evil = RemoteScan.EvilPickle();
        string pointer = Pointer("data.dvc", outPath, Store(_storage, evil), evil.Length);

        ModelScanResult result = Scan.File(pointer);

        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA6350");
        Assert.Equal((Severity.Critical, outPath), (finding.Severity, finding.Evidence));
        Assert.DoesNotContain(result.Findings, f => f.RuleId == "MA1001"); // never read through a path outside
    }

    [Fact]
    public void A_folder_listing_entry_that_leaves_the_project_is_critical()
    {
        Config(_storage);
        byte[] evil = RemoteScan.EvilPickle();
        string listing = $"[{{\"md5\": \"{Store(_storage, evil)}\", \"relpath\": \"../../../home/user/.bashrc\"}}]";
        string pointer = Pointer("models.dvc", "models", Store(_storage, Encoding.UTF8.GetBytes(listing), suffix: ".dir"), 0);

        ModelScanResult result = Scan.File(pointer);

        Assert.Equal("../../../home/user/.bashrc", Assert.Single(result.Findings, f => f.RuleId == "MA6350").Evidence);
    }

    [Fact]
    public void An_output_that_cannot_be_found_makes_the_pointer_inconclusive_never_clean()
    {
        Config(_storage);
        string pointer = Pointer("model.pkl.dvc", "model.pkl", new string('a', 32), 10);

        ModelScanResult result = Scan.File(pointer);

        Assert.True(result.Has("MA9035"), result.Describe());
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
    }

    [Fact]
    public void An_output_already_in_the_workspace_is_left_to_its_own_scan()
    {
        Config(_storage);
        string pointer = Pointer("model.pkl.dvc", "model.pkl", new string('a', 32), 10);
        File.WriteAllBytes(Path.Combine(_project, "model.pkl"), RemoteScan.SafeTensors());

        ModelScanResult result = Scan.File(pointer);

        Assert.Equal((ScanOutcome.Clean, "DvcPointer"), (result.Outcome, result.Format));
    }

    [Fact]
    public void An_http_remote_is_read_by_ranges_only_when_allowed()
    {
        using var server = new FakeStaticFiles();
        Config(server.Endpoint + "/dvcstore");
        byte[] evil = RemoteScan.EvilPickle();
        string md5 = Md5(evil);
        server.AddFile($"dvcstore/files/md5/{md5[..2]}/{md5[2..]}", evil);
        string pointer = Pointer("model.pkl.dvc", "model.pkl", md5, evil.Length);

        ModelScanResult offline = Scan.File(pointer);
        Assert.Empty(server.Requests);
        Assert.Contains("-FollowDvcRemote", Assert.Single(offline.Findings, f => f.RuleId == "MA9035").Message, StringComparison.Ordinal);
        Assert.Equal(ScanOutcome.Inconclusive, offline.Outcome);

        ModelScanResult online = Scan.File(pointer, new ScanOptions { FollowDvcRemotes = true });
        Assert.True(online.Has("MA1001", Severity.Critical), online.Describe());
    }

    [Fact]
    public void A_yaml_file_named_dvc_without_outputs_is_read_as_what_it_is()
    {
        string path = Path.Combine(_project, "notes.dvc");
        File.WriteAllText(path, "just: text\n");

        Assert.NotEqual("DvcPointer", Scan.File(path).Format);
    }
}
