using System.IO.Compression;
using System.Formats.Tar;
using System.Text;

namespace ModelAudit.Engine.Tests;

/// <summary>Containers (peers.md §6 D): zip tricks built and hand-patched here, tar, compression wrappers, polyglots.</summary>
public sealed class ArchiveTests
{
    private static readonly byte[] s_payload = PickleBuilder.Gadget("os", "system", "id");
    private static readonly byte[] s_benign = new PickleBuilder().Proto(4).EmptyDict().Stop().ToArray();

    [Fact]
    public void A_benign_zip_of_safetensors_and_config_is_clean()
    {
        byte[] safetensors = File.ReadAllBytes(Scan.Fixture("benign/numpy_float.npy"));
        byte[] zip = ArchiveBuilder.Zip(CompressionLevel.Optimal, ("config.json", "{\"a\":1}"u8.ToArray()), ("weights.npy", safetensors));
        ModelScanResult result = Scan.Bytes(zip, "model.zip");
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.Equal("Zip", result.Format);
    }

    [Fact]
    public void Members_are_found_by_content_whatever_their_name_D1()
    {
        byte[] zip = ArchiveBuilder.Zip(("archive/data.pkl", s_benign), ("archive/notes.txt", s_payload));
        ModelScanResult result = Scan.Bytes(zip, "model.pt");
        ModelFinding f = Assert.Single(result.Findings, f => f.RuleId == "MA1001");
        Assert.Equal("archive/notes.txt", f.Member);
    }

    [Fact]
    public void A_pickle_hidden_in_a_pytorch_storage_blob_is_scanned()
    {
        byte[] zip = ArchiveBuilder.Zip(("archive/data.pkl", s_benign), ("archive/data/0", s_payload), ("archive/version", "3\n"u8.ToArray()));
        ModelScanResult result = Scan.Bytes(zip, "model.pt");
        Assert.Equal("PyTorchZip", result.Format);
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Member == "archive/data/0");
    }

    [Fact]
    public void Encrypted_flag_is_reported_and_the_member_still_scanned_D4()
    {
        byte[] zip = ArchiveBuilder.Zip(("archive/data.pkl", s_payload));
        foreach (int at in ArchiveBuilder.Find(zip, "PK\x03\x04"))
        {
            ArchiveBuilder.SetUInt16(zip, at + 6, 0x0001);
        }

        foreach (int at in ArchiveBuilder.Find(zip, "PK\x01\x02"))
        {
            ArchiveBuilder.SetUInt16(zip, at + 8, 0x0001);
        }

        ModelScanResult result = Scan.Bytes(zip, "model.pt");
        Assert.True(result.Has("MA2002"), result.Describe());
        Assert.True(result.Has("MA1001", Severity.Critical), result.Describe());
    }

    [Fact]
    public void Local_and_central_names_that_differ_D4()
    {
        byte[] zip = ArchiveBuilder.Zip(("archive/data.pkl", s_payload));
        int local = ArchiveBuilder.Find(zip, "PK\x03\x04")[0];
        zip[local + 30] = (byte)'X';
        ModelScanResult result = Scan.Bytes(zip, "model.pt");
        Assert.True(result.Has("MA2003"), result.Describe());
        Assert.True(result.Has("MA1001"), result.Describe());
    }

    [Fact]
    public void Bad_crc_is_reported_and_the_member_still_scanned_D4()
    {
        byte[] zip = ArchiveBuilder.Zip(("archive/data.pkl", s_payload));
        int central = ArchiveBuilder.Find(zip, "PK\x01\x02")[0];
        ArchiveBuilder.SetUInt32(zip, central + 16, 0xDEADBEEF);
        ModelScanResult result = Scan.Bytes(zip, "model.pt");
        Assert.True(result.Has("MA2004"), result.Describe());
        Assert.True(result.Has("MA1001"), result.Describe());
    }

    [Fact]
    public void A_local_entry_missing_from_the_central_directory_is_found()
    {
        byte[] two = ArchiveBuilder.Zip(("a.txt", "hello"u8.ToArray()), ("hidden.pkl", s_payload));
        // Drop the second central-directory record and fix the end record's counts.
        int[] central = ArchiveBuilder.Find(two, "PK\x01\x02").ToArray();
        int end = ArchiveBuilder.Find(two, "PK\x05\x06").Last();
        byte[] zip = two[..central[1]].Concat(two[end..]).ToArray();
        int newEnd = central[1];
        ArchiveBuilder.SetUInt16(zip, newEnd + 8, 1);
        ArchiveBuilder.SetUInt16(zip, newEnd + 10, 1);
        ArchiveBuilder.SetUInt32(zip, newEnd + 12, (uint)(central[1] - central[0]));
        ModelScanResult result = Scan.Bytes(zip, "model.zip");
        Assert.True(result.Has("MA2005"), result.Describe());
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Member == "hidden.pkl");
    }

    [Fact]
    public void Duplicate_names()
    {
        byte[] zip = ArchiveBuilder.Zip(("data.pkl", s_benign), ("data.pkl", s_payload));
        ModelScanResult result = Scan.Bytes(zip, "model.zip");
        Assert.True(result.Has("MA2006"), result.Describe());
        Assert.True(result.Has("MA1001"), result.Describe());
    }

    [Theory]
    [InlineData("../../etc/cron.d/job")]
    [InlineData("/etc/passwd")]
    [InlineData("C:/Windows/evil.dll")]
    [InlineData("..\\..\\evil.bat")]
    [InlineData("a/\uFF0E\uFF0E/\uFF0E\uFF0E/b")]
    public void Path_traversal_names(string name)
    {
        ModelScanResult result = Scan.Bytes(ArchiveBuilder.Zip((name, "x"u8.ToArray())), "model.zip");
        Assert.True(result.Has("MA2001", Severity.Critical), result.Describe());
    }

    [Fact]
    public void Nested_zip_in_zip_D6()
    {
        byte[] inner = ArchiveBuilder.Zip(("data.pkl", s_payload));
        byte[] outer = ArchiveBuilder.Zip(CompressionLevel.Optimal, ("inner.zip", inner));
        ModelScanResult result = Scan.Bytes(outer, "model.zip");
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Member == "inner.zip!data.pkl");
    }

    [Fact]
    public void Executable_inside_an_archive()
    {
        byte[] elf = new byte[128];
        new byte[] { 0x7F, 0x45, 0x4C, 0x46, 2, 1, 1 }.CopyTo(elf, 0);
        ModelScanResult result = Scan.Bytes(ArchiveBuilder.Zip(("bin/run", elf), ("setup.sh", "#!/bin/sh\necho hi\n"u8.ToArray())), "model.zip");
        Assert.Equal(2, result.Findings.Count(f => f.RuleId == "MA2007"));
    }

    [Fact]
    public void Polyglot_pickle_then_zip_scans_both_D5()
    {
        byte[] zip = ArchiveBuilder.Zip(("inner.pkl", s_payload));
        ModelScanResult result = Scan.Bytes(s_benign.Concat(zip).ToArray(), "model.pkl");
        Assert.True(result.Has("MA2008"), result.Describe());
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Member == "inner.pkl");
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("zlib")]
    [InlineData("brotli-free bzip2")]
    public void Compressed_wrappers_D7(string kind)
    {
        var buffer = new MemoryStream();
        if (kind == "gzip")
        {
            using var z = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true);
            z.Write(s_payload);
        }
        else if (kind == "zlib")
        {
            using var z = new ZLibStream(buffer, CompressionLevel.Optimal, leaveOpen: true);
            z.Write(s_payload);
        }
        else
        {
            using var z = SharpCompress.Compressors.BZip2.BZip2Stream.Create(buffer, SharpCompress.Compressors.CompressionMode.Compress, false, leaveOpen: true);
            z.Write(s_payload);
        }

        ModelScanResult result = Scan.Bytes(buffer.ToArray(), "model.joblib");
        Assert.True(result.Has("MA1001", Severity.Critical), result.Describe());
    }

    [Fact]
    public void Legacy_pytorch_tar_D3()
    {
        byte[] tar = ArchiveBuilder.Tar(("sys_info", s_benign), ("pickle", s_payload), ("storages", s_benign), ("tensors", s_benign));
        ModelScanResult result = Scan.Bytes(tar, "model.pt");
        Assert.Equal("PyTorchLegacyTar", result.Format);
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Member == "pickle");
    }

    [Fact]
    public void Benign_tar_gz_of_a_model_folder_is_clean()
    {
        byte[] tar = ArchiveBuilder.Tar(("model/config.json", "{}"u8.ToArray()), ("model/weights.pkl", s_benign));
        var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(tar);
        }

        ModelScanResult result = Scan.Bytes(gz.ToArray(), "model.tar.gz");
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
    }

    [Theory]
    [InlineData("link", "/etc/passwd", TarEntryType.SymbolicLink)]
    [InlineData("a/link", "../../outside", TarEntryType.SymbolicLink)]
    [InlineData("hard", "/root/.ssh/id_rsa", TarEntryType.HardLink)]
    public void Links_that_escape_the_archive(string name, string target, TarEntryType type)
    {
        ModelScanResult result = Scan.Bytes(ArchiveBuilder.TarWithLink(name, target, type), "model.tar");
        Assert.True(result.Has("MA2010", Severity.Critical), result.Describe());
    }

    [Fact]
    public void A_link_inside_the_archive_is_fine()
    {
        ModelScanResult result = Scan.Bytes(ArchiveBuilder.TarWithLink("a/link", "../config.json", TarEntryType.SymbolicLink), "model.tar");
        Assert.False(result.Has("MA2010"), result.Describe());
    }

    [Fact]
    public void A_zip_bomb_is_reported_from_its_declared_sizes_and_never_expanded()
    {
        // 1 GiB of zeros in about 1 MB of hand-written deflate (1032:1). Its content is unknown, so only its head is
        // ever inflated.
        var (deflate, length) = DeflateBomb.Zeros((1 << 30) / DeflateBomb.BytesPerBodyByte);
        Assert.True(length > 1_000_000_000, length.ToString());
        ModelScanResult result = Scan.Bytes(DeflateBomb.Zip("bomb.bin", deflate, length), "model.zip");
        Assert.True(result.Has("MA2009", Severity.Warning), result.Describe());
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Fact]
    public void The_hand_made_bomb_inflates_to_the_zeros_and_crc_it_declares()
    {
        var (deflate, length) = DeflateBomb.Zeros(1000, "head"u8.ToArray(), "tail"u8.ToArray());
        using var inflate = new DeflateStream(new MemoryStream(deflate), CompressionMode.Decompress);
        byte[] expanded = new byte[length + 1];
        Assert.Equal(length, inflate.ReadAtLeast(expanded, expanded.Length, throwOnEndOfStream: false));
        Assert.Equal("head"u8.ToArray(), expanded[..4]);
        Assert.True(expanded.AsSpan(4, (int)length - 8).IndexOfAnyExcept((byte)0) < 0);
        Assert.Equal("tail"u8.ToArray(), expanded[(int)(length - 4)..(int)length]);
        Assert.Equal(IO.Crc32.Append(0, new byte[12_345]), DeflateBomb.ZeroCrc(12_345));

        (deflate, length) = DeflateBomb.Zeros(1000);

        // .NET's zip reader checks sizes and the CRC as it reads: the member reads back whole.
        using var zip = new ZipArchive(new MemoryStream(DeflateBomb.Zip("z.bin", deflate, length)), ZipArchiveMode.Read);
        using Stream member = zip.Entries.Single().Open();
        Assert.Equal(length, member.ReadAtLeast(new byte[length + 1], (int)length + 1, throwOnEndOfStream: false));
    }

    [Fact]
    public void A_bomb_the_scan_must_read_through_stops_at_the_ratio_budget()
    {
        // A pickle whose 64 MiB BINBYTES8 argument is zeros: the VM must read past it inside a deflated member.
        int body = (64 << 20) / DeflateBomb.BytesPerBodyByte;
        long zeros = DeflateBomb.Zeros(body).Length;
        byte[] head = new PickleBuilder().Proto(4).Bytes8(zeros, Array.Empty<byte>()).ToArray();
        var (deflate, length) = DeflateBomb.Zeros(body, prefix: head, suffix: new[] { (byte)'.' });
        Assert.Equal(head.Length + zeros + 1, length);
        byte[] zip = DeflateBomb.Zip("data.pkl", deflate, length);

        var options = new Scanning.ScanOptions { Limits = new Scanning.ScanLimits { CompressionRatioFloor = 8L << 20, MaxCompressionRatio = 100 } };
        ModelScanResult result = Scan.Bytes(zip, "model.zip", options);
        Assert.True(result.Has("MA2009"), result.Describe());
        Assert.True(result.Has("MA9002"), result.Describe());
        Assert.NotEqual(ScanOutcome.Clean, result.Outcome);
    }

    [Fact]
    public void A_truncated_zip_is_inconclusive_not_clean()
    {
        byte[] zip = ArchiveBuilder.Zip(("data.pkl", s_benign), ("more.pkl", s_benign));
        ModelScanResult result = Scan.Bytes(zip[..(zip.Length / 2)], "model.zip");
        Assert.NotEqual(ScanOutcome.Clean, result.Outcome);
    }

    [Fact]
    public void A_docker_save_tarball_is_scanned_through_its_layers_with_the_digest_in_the_member_path()
    {
        byte[] layer = ArchiveBuilder.Tar(("app/model/weights.pkl", s_payload), ("app/config.json", "{}"u8.ToArray()));
        var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
        {
            z.Write(layer);
        }

        string digest = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(gz.ToArray())).ToLowerInvariant();
        string manifest = $"[{{\"Config\":\"blobs/sha256/{new string('c', 64)}\",\"RepoTags\":[\"model:1\"],\"Layers\":[\"blobs/sha256/{digest}\"]}}]";
        byte[] image = ArchiveBuilder.Tar(("manifest.json", Encoding.UTF8.GetBytes(manifest)), ("blobs/sha256/" + digest, gz.ToArray()));
        ModelScanResult result = Scan.Bytes(image, "image.tar");
        ModelFinding f = Assert.Single(result.Findings, f => f.RuleId == "MA1001");
        Assert.Equal($"blobs/sha256/{digest}!decompressed!app/model/weights.pkl", f.Member);
    }

    [Fact]
    public void TorchScript_archive_with_a_payload_is_reported_both_ways_D10()
    {
        byte[] zip = ArchiveBuilder.Zip(("model/data.pkl", s_benign), ("model/constants.pkl", s_payload), ("model/code/__torch__/m.py", "def forward(self):\n  pass\n"u8.ToArray()));
        ModelScanResult result = Scan.Bytes(zip, "model.pt");
        Assert.Equal("TorchScript", result.Format);
        Assert.True(result.Has("MA1019", Severity.Info), result.Describe());
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Member == "model/constants.pkl");
        Assert.DoesNotContain(result.Findings, f => f.RuleId == "MA2007");
    }

    [Fact]
    public void Seven_zip_wrapped_pytorch_D6()
    {
        ModelScanResult result = Scan.File(Scan.Fixture("malicious/torch_zip_os_system.7z"));
        Assert.Equal("SevenZip", result.Format);
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Member!.EndsWith("torch_zip_os_system/data.pkl", StringComparison.Ordinal));
    }

    [Fact]
    public void A_tar_whose_last_member_is_a_zip_is_not_a_polyglot()
    {
        byte[] tar = ArchiveBuilder.Tar(("config.json", "{}"u8.ToArray()), ("weights.npz", ArchiveBuilder.Zip(("a.npy", File.ReadAllBytes(Scan.Fixture("benign/numpy_float.npy"))))));
        ModelScanResult result = Scan.Bytes(tar, "model.tar");
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.False(result.Has("MA2008"), result.Describe());
    }

    [Fact]
    public void Data_appended_after_the_end_record()
    {
        byte[] zip = ArchiveBuilder.Zip(("config.json", "{}"u8.ToArray()));
        ModelScanResult result = Scan.Bytes(zip.Concat(s_payload).ToArray(), "model.zip");
        Assert.Contains(result.Findings, f => f.RuleId == "MA2008" && f.Evidence == "appended data");
    }

    [Fact]
    public void Python_source_inside_an_archive_is_found_by_content()
    {
        byte[] code = "import os\nimport subprocess\ndef run():\n    os.system('id')\n"u8.ToArray();
        ModelScanResult result = Scan.Bytes(ArchiveBuilder.Zip(("weights/shard.bin", code), ("README.md", code)), "model.zip");
        ModelFinding f = Assert.Single(result.Findings, f => f.RuleId == "MA2007");
        Assert.Equal("weights/shard.bin", f.Member);
    }

    [Fact]
    public void Gnu_sparse_members_are_scanned()
    {
        byte[] tar = ArchiveBuilder.Tar(("data.pkl", s_payload));
        tar[156] = (byte)'S';
        long sum = tar.Take(512).Select((b, i) => i is >= 148 and < 156 ? 32 : b).Sum();
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(tar, 148);
        ModelScanResult result = Scan.Bytes(tar, "model.tar");
        Assert.True(result.Has("MA1001"), result.Describe());
    }

    [Fact]
    public void An_encrypted_member_leaves_coverage_incomplete()
    {
        byte[] zip = ArchiveBuilder.Zip(("archive/data.pkl", s_benign));
        foreach (int at in ArchiveBuilder.Find(zip, "PK\x01\x02"))
        {
            ArchiveBuilder.SetUInt16(zip, at + 8, 0x0001);
        }

        ModelScanResult result = Scan.Bytes(zip, "model.zip");
        Assert.True(result.Has("MA2002", Severity.Warning), result.Describe());
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Fact]
    public void Over_the_entry_budget_the_first_entries_are_still_scanned()
    {
        byte[] zip = ArchiveBuilder.Zip(("a.pkl", s_payload), ("b.txt", "x"u8.ToArray()), ("c.txt", "y"u8.ToArray()));
        var options = new Scanning.ScanOptions { Limits = new Scanning.ScanLimits { MaxArchiveEntries = 2 } };
        ModelScanResult result = Scan.Bytes(zip, "model.zip", options);
        Assert.True(result.Has("MA1001"), result.Describe());
        Assert.Contains(result.Findings, f => f.RuleId == "MA9002" && f.Evidence == "MaxArchiveEntries");
    }

    [Fact]
    public void The_expanded_bytes_budget_stops_expansion_for_the_whole_file()
    {
        byte[] big = new byte[4 << 20];
        byte[] zip = ArchiveBuilder.Zip(CompressionLevel.Optimal, ("a.pkl", new PickleBuilder().Proto(4).Bytes(big).Stop().ToArray()), ("b.pkl", s_payload));
        var options = new Scanning.ScanOptions { Limits = new Scanning.ScanLimits { MaxExpandedBytes = 1 << 20 } };
        ModelScanResult result = Scan.Bytes(zip, "model.zip", options);
        Assert.True(result.Has("MA2009"), result.Describe());
        Assert.Contains(result.Findings, f => f.RuleId == "MA9002" && f.Evidence == "MaxExpandedBytes");
        Assert.NotEqual(ScanOutcome.Clean, result.Outcome);
    }

    [Fact]
    public void Zstandard_wrapper()
    {
        var buffer = new MemoryStream();
        using (var z = new SharpCompress.Compressors.ZStandard.CompressionStream(buffer, 3, leaveOpen: true))
        {
            z.Write(s_payload);
        }

        ModelScanResult result = Scan.Bytes(buffer.ToArray(), "model.pkl.zst");
        Assert.Equal("Zstd", result.Format);
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Member == "model.pkl");
    }

    [Fact]
    public void Gnu_long_names_are_read()
    {
        string longName = string.Join('/', Enumerable.Repeat("deeply-nested-folder", 8)) + "/weights.pkl";
        var buffer = new MemoryStream();
        using (var tar = new TarWriter(buffer, TarEntryFormat.Gnu, leaveOpen: true))
        {
            tar.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, longName) { DataStream = new MemoryStream(s_payload) });
        }

        ModelScanResult result = Scan.Bytes(buffer.ToArray(), "model.tar");
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001" && f.Member == longName);
    }

    // A delivery as it travels: the model in a zip, in a tar.gz, in a plain tar, in a zip … (a compressed tar is two
    // levels, the wrapper and the tar). Returns the outermost archive and the member path of the pickle at the bottom.
    private static (byte[] Archive, string Path) Chain(byte[] pickle, int archives)
    {
        byte[] data = pickle;
        string path = "data.pkl";
        for (int level = archives; level >= 1; level--)
        {
            string inner = path.Split('!')[0];
            switch (level % 3)
            {
                case 0:
                    data = ArchiveBuilder.Zip(CompressionLevel.Fastest, (inner, data));
                    path = $"level{level}.zip!{path}";
                    break;
                case 1:
                    data = Gzip(ArchiveBuilder.Tar((inner, data)));
                    path = $"level{level}.tar.gz!level{level}.tar!{path}";
                    break;
                default:
                    data = ArchiveBuilder.Tar((inner, data));
                    path = $"level{level}.tar!{path}";
                    break;
            }
        }

        return (data, path);
    }

    // The outermost archive is the scanned file itself: its name is not part of the member path.
    private static ModelScanResult ScanChain((byte[] Archive, string Path) chain, Scanning.ScanOptions? options = null) =>
        Scan.Bytes(chain.Archive, chain.Path.Split('!')[0], options);

    private static string Bottom(string path) => path[(path.IndexOf('!') + 1)..];

    private static byte[] Gzip(byte[] data)
    {
        var buffer = new MemoryStream();
        using (var z = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            z.Write(data);
        }

        return buffer.ToArray();
    }

    [Fact]
    public void A_payload_twelve_archives_deep_is_found_at_the_bottom()
    {
        var chain = Chain(s_payload, 12);
        ModelScanResult result = ScanChain(chain);
        ModelFinding f = Assert.Single(result.Findings, f => f.RuleId == "MA1001");
        Assert.Equal(Severity.Critical, f.Severity);
        Assert.Equal(Bottom(chain.Path), f.Member);
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Fact]
    public void A_benign_model_twelve_archives_deep_is_clean()
    {
        var chain = Chain(s_benign, 12);
        Assert.True(Bottom(chain.Path).Count(c => c == '!') >= 14, chain.Path);
        ModelScanResult result = ScanChain(chain);
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.Empty(result.Findings);
    }

    [Theory]
    [InlineData(12, 8)]
    [InlineData(30, 0)] // 0: the default limit; 30 archives, a third of them compressed tars, are 40 levels
    public void A_chain_deeper_than_the_nesting_limit_is_inconclusive_never_clean(int archives, int limit)
    {
        var options = new Scanning.ScanOptions { Limits = limit > 0 ? new Scanning.ScanLimits { MaxNestingDepth = limit } : new Scanning.ScanLimits() };
        ModelScanResult result = ScanChain(Chain(s_benign, archives), options);
        Assert.True(result.Has("MA9007"), result.Describe());
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
    }

    [Fact]
    public void Copies_held_by_nested_levels_are_bounded_together_and_released_by_siblings()
    {
        // Zips inside gzip must be copied to be indexed. Each copy here is ~300 KB, under the per-copy limit.
        // Filler that does not compress to nothing: random words, as text no scanner has an opinion about.
        var random = new Random(14);
        byte[] filler = new byte[300_000];
        for (int i = 0; i < filler.Length; i++)
        {
            filler[i] = i % 6 == 5 ? (byte)' ' : (byte)('a' + random.Next(26));
        }

        byte[] leaf = ArchiveBuilder.Zip(("data.pkl", s_benign), ("notes.txt", filler));
        byte[] middle = ArchiveBuilder.Zip(("leaf.zip.gz", Gzip(leaf)), ("notes.txt", filler));
        var limits = new Scanning.ScanLimits { MaxBufferedBytesHeld = 800_000 };

        // Side by side, each copy is released before the next: Clean.
        byte[] siblings = ArchiveBuilder.Zip(("a.zip.gz", Gzip(leaf)), ("b.zip.gz", Gzip(leaf)));
        ModelScanResult side = Scan.Bytes(siblings, "delivery.zip", new Scanning.ScanOptions { Limits = limits });
        Assert.True(side.Outcome == ScanOutcome.Clean, side.Describe());

        // Nested, the middle copy (~600 KB) is held while the leaf's is made: past the bound, Inconclusive.
        byte[] nested = ArchiveBuilder.Zip(("middle.zip.gz", Gzip(middle)));
        ModelScanResult deep = Scan.Bytes(nested, "delivery.zip", new Scanning.ScanOptions { Limits = limits });
        Assert.Contains(deep.Findings, f => f.RuleId == "MA9002" && f.Message.Contains("MaxBufferedBytesHeld", StringComparison.Ordinal)
            || f.RuleId == "MA9002" && f.Evidence == "MaxBufferedBytesHeld");
        Assert.Equal(ScanOutcome.Inconclusive, deep.Outcome);

        // The same nesting with the default bound is Clean.
        Assert.Equal(ScanOutcome.Clean, Scan.Bytes(nested, "delivery.zip").Outcome);
    }
}
