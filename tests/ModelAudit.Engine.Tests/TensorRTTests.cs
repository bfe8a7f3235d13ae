using System.Text;
using ModelAudit.Engine.Formats.TensorRT;
using static ModelAudit.Engine.Tests.TensorRtPlanBuilder;

namespace ModelAudit.Engine.Tests;

/// <summary>TensorRT engines: the "ftrt" header, native code embedded in the plan, plugin and library names, the
/// Ultralytics prefix, and a bounded forward search that sees what straddles its windows.</summary>
public sealed class TensorRTTests
{
    private static ModelFinding Single(ModelScanResult result, string ruleId) => Assert.Single(result.Findings, f => f.RuleId == ruleId);

    [Fact]
    public void A_plan_with_cubins_weights_and_a_builtin_plugin_is_clean_with_the_plugin_named()
    {
        ModelScanResult result = Scan.Bytes(Benign(), "model.plan");
        Assert.Equal("TensorRT", result.Format);
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
        ModelFinding plugins = Single(result, "MA3161");
        Assert.Equal(Severity.Info, plugins.Severity);
        Assert.Equal("EfficientNMS_TRT", plugins.Evidence);
        Assert.All(result.Findings, f => Assert.Equal(Severity.Info, f.Severity));
    }

    [Fact]
    public void A_serialized_plugin_library_is_critical_with_its_offset_and_size()
    {
        byte[] library = Elf();
        byte[] plan = Plan(Text("CustomPlugin_TRT"), library, Weights(4096, seed: 1));
        int at = 28 + Text("CustomPlugin_TRT").Length;
        ModelScanResult result = Scan.Bytes(plan, "model.engine");
        ModelFinding native = Single(result, "MA3160");
        Assert.Equal(Severity.Critical, native.Severity);
        Assert.Equal(at, native.Offset);
        Assert.Equal($"ELF x86-64 shared object, {library.Length:N0} bytes", native.Evidence);
        Assert.Contains("TensorRT 10.3.0.26", native.Message);
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    public static TheoryData<string, byte[], string> Libraries => new()
    {
        { "PE", PeDll(), "PE x86-64 DLL, 1,024 bytes" },
        { "Mach-O", MachODylib(), "Mach-O ARM64 dynamic library, 4,096 bytes" },
        { "ELF executable", Elf(type: 2), $"ELF x86-64 executable, {Elf(type: 2).Length:N0} bytes" },
    };

    [Theory]
    [MemberData(nameof(Libraries))]
    public void Every_host_executable_format_is_found(string kind, byte[] image, string evidence)
    {
        ModelScanResult result = Scan.Bytes(Plan(Weights(1000, seed: 2), image), "model.engine");
        ModelFinding native = Single(result, "MA3160");
        Assert.True(native.Evidence == evidence, $"{kind}: {native.Evidence}");
        Assert.Equal(28 + 1000, native.Offset);
    }

    [Fact]
    public void Garbage_in_fields_the_loader_ignores_does_not_hide_a_library()
    {
        // ld.so reads the ELF header and program headers only; the section table and e_ehsize may be anything.
        byte[] library = Elf();
        BitConverter.GetBytes((ushort)0x1234).CopyTo(library, 52);
        BitConverter.GetBytes((ushort)0x4321).CopyTo(library, 58);
        ModelFinding native = Single(Scan.Bytes(Plan(library), "model.plan"), "MA3160");
        Assert.Equal($"ELF x86-64 shared object, {library.Length - 3 * 64:N0} bytes", native.Evidence);
    }

    [Fact]
    public void A_header_the_loader_rejects_is_not_a_library()
    {
        byte[] library = Elf();
        BitConverter.GetBytes((ushort)40).CopyTo(library, 54);
        ModelScanResult result = Scan.Bytes(Plan(library), "model.plan");
        Assert.DoesNotContain(result.Findings, f => f.RuleId == "MA3160");
    }

    [Fact]
    public void Cuda_device_images_are_not_host_code()
    {
        ModelScanResult result = Scan.Bytes(Plan(Elf(ElfCuda, type: 2), Elf(ElfCuda, type: 1), Weights(2048, seed: 3)), "model.plan");
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void A_forged_cubin_claiming_a_huge_extent_does_not_hide_a_library_after_it()
    {
        byte[] cubin = Elf(ElfCuda, type: 2);
        BitConverter.GetBytes((ulong)1 << 40).CopyTo(cubin, 40);
        ModelScanResult result = Scan.Bytes(Plan(cubin, Elf()), "model.plan");
        Assert.Equal(28 + cubin.Length, Single(result, "MA3160").Offset);
    }

    [Fact]
    public void Python_exec_and_so_strings_are_never_more_than_info()
    {
        byte[] plan = Plan(Text("import os; exec(eval('python -c 1'))"), Text("/tmp/../opt/plugins/libyolo_layer.so"), Text("nvinfer_plugin.dll"), Weights(512, seed: 4));
        ModelScanResult result = Scan.Bytes(plan, "model.engine");
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
        ModelFinding libraries = Single(result, "MA3162");
        Assert.Equal(Severity.Info, libraries.Severity);
        Assert.Equal("/tmp/../opt/plugins/libyolo_layer.so, nvinfer_plugin.dll", libraries.Evidence);
    }

    [Fact]
    public void Names_around_a_library_are_kept_and_names_inside_it_are_part_of_it()
    {
        byte[] library = Elf(textBytes: 256);
        Text("Inside_TRT").CopyTo(library, 64 + 56 + 8);
        ModelScanResult result = Scan.Bytes(Plan(Text("Before_TRT"), Text("libbefore.so"), library, Text("After_TRT")), "model.plan");
        Assert.Equal("After_TRT, Before_TRT", Single(result, "MA3161").Evidence);
        Assert.Equal("libbefore.so", Single(result, "MA3162").Evidence);
        Single(result, "MA3160");
    }

    [Fact]
    public void Random_weights_read_in_short_reads_yield_no_names_and_no_images()
    {
        PlanContents found = PlanContentSearch.Search(new RandomBytesStream(32L << 20, seed: 11), 28, CancellationToken.None);
        Assert.Empty(found.LibraryNames);
        Assert.Empty(found.PluginNames);
        Assert.Equal(0, found.HostImageCount);
    }

    // What random weights spell by chance (a 1 GiB random plan held 15 such ".so" names), against real names.
    [Theory]
    [InlineData("B.so", false)]
    [InlineData("3l0.so", false)]
    [InlineData("vH.dll", false)]
    [InlineData("X_TRT", false)]
    [InlineData("libx.so", true)]
    [InlineData("libnvinfer_plugin.so.10", true)]
    [InlineData("custom_plugins.dll", true)]
    [InlineData("NMS_TRT", true)]
    public void Chance_strings_are_not_names(string text, bool isName)
    {
        PlanContents found = PlanContentSearch.Search(new MemoryStream(Plan(Text(text))[28..]), 28, CancellationToken.None);
        Assert.Equal(isName, found.LibraryNames.ContainsKey(text) || found.PluginNames.ContainsKey(text));
    }

    [Fact]
    public void A_library_whose_header_claims_more_than_the_file_says_so()
    {
        byte[] library = Elf();
        byte[] plan = Plan(library);
        ModelScanResult result = Scan.Bytes(plan[..^64], "model.plan");
        Assert.Contains("claims more bytes than the file has", Single(result, "MA3160").Message);
    }

    [Fact]
    public void Past_the_listed_images_the_rest_are_counted()
    {
        byte[][] images = Enumerable.Range(0, 40).Select(_ => Elf(textBytes: 64)).ToArray();
        ModelScanResult result = Scan.Bytes(Plan(images), "model.plan");
        List<ModelFinding> native = result.Findings.Where(f => f.RuleId == "MA3160").ToList();
        Assert.Equal(33, native.Count);
        Assert.Equal("8 more images", native[^1].Evidence);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(27)]
    public void A_truncated_header_is_inconclusive(int length)
    {
        ModelScanResult result = Scan.Bytes(Header()[..length], "model.engine");
        Assert.Equal("TensorRT", result.Format);
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
        Assert.True(result.Has("MA9065"), result.Describe());
    }

    [Fact]
    public void A_complete_header_alone_is_clean()
    {
        ModelScanResult result = Scan.Bytes(Header(), "model.engine");
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
    }

    [Fact]
    public void Unknown_bytes_named_engine_are_not_clean()
    {
        ModelScanResult result = Scan.Bytes(Weights(4096, seed: 5), "model.engine");
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
        Assert.True(result.Has("MA9004"), result.Describe());
    }

    [Fact]
    public void A_pickle_named_plan_is_code_behind_an_engine_name()
    {
        ModelScanResult result = Scan.Bytes(PickleBuilder.Gadget("os", "system", "echo hi"), "model.plan");
        Assert.True(result.Has("MA6004", Severity.Warning), result.Describe());
    }

    [Fact]
    public void A_plan_named_onnx_is_a_name_mismatch()
    {
        ModelScanResult result = Scan.Bytes(Benign(), "model.onnx");
        Assert.Equal("TensorRT", result.Format);
        Assert.True(result.Has("MA6001"), result.Describe());
    }

    private static byte[] Ultralytics(string json, byte[] plan)
    {
        byte[] metadata = Encoding.UTF8.GetBytes(json);
        return Concat(BitConverter.GetBytes((uint)metadata.Length), metadata, plan);
    }

    [Fact]
    public void An_ultralytics_export_is_the_plan_behind_its_metadata()
    {
        byte[] file = Ultralytics("{\"task\":\"detect\",\"imgsz\":[640,640],\"names\":{\"0\":\"person\"}}", Plan(Elf(), Weights(256, seed: 6)));
        ModelScanResult result = Scan.Bytes(file, "yolo11n.engine");
        Assert.Equal("TensorRT", result.Format);
        int metadata = BitConverter.ToInt32(file);
        Assert.Equal(4 + metadata + 28, Single(result, "MA3160").Offset);
    }

    [Fact]
    public void Ultralytics_metadata_goes_to_the_analyzers()
    {
        ModelScanResult result = Scan.Bytes(Ultralytics("{\"author\":\"AKIADN73U55XTPLPFT7V\"}", Benign()), "yolo.engine");
        Assert.True(result.Has("MA4001"), result.Describe());
    }

    [Fact]
    public void A_long_ultralytics_prefix_past_the_head_is_still_read()
    {
        string names = string.Join(",", Enumerable.Range(0, 1200).Select(i => $"\"{i}\":\"class{i}\""));
        ModelScanResult result = Scan.Bytes(Ultralytics("{\"names\":{" + names + "}}", Benign()), "yolo.engine");
        Assert.Equal("TensorRT", result.Format);
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
    }

    [Fact]
    public void An_ultralytics_length_past_the_end_is_not_a_plan()
    {
        byte[] file = Ultralytics("{\"task\":\"detect\"}", Benign());
        BitConverter.GetBytes((uint)file.Length).CopyTo(file, 0);
        ModelScanResult result = Scan.Bytes(file, "yolo.engine");
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
        Assert.True(result.Has("MA9004"), result.Describe());
    }

    [Fact]
    public void A_plan_inside_an_archive_is_searched_as_a_stream()
    {
        byte[] zip = ArchiveBuilder.Zip(("engines/model.plan", Plan(Weights(3000, seed: 8), Elf())));
        ModelScanResult result = Scan.Bytes(zip, "engines.zip");
        ModelFinding native = Single(result, "MA3160");
        Assert.Equal("engines/model.plan", native.Member);
        Assert.Equal(28 + 3000, native.Offset);
    }

    // Windows own Chunk bytes each and carry PlanContentSearch.Overlap more, so two places split content: where a
    // window's owned part ends (k × Chunk), and where one read ends and the next begins (Chunk + Overlap, then every
    // Chunk). The search starts after the 28-byte header.
    public static TheoryData<int> Boundaries => new()
    {
        PlanContentSearch.DefaultChunkSize - 3,
        PlanContentSearch.DefaultChunkSize - 1,
        PlanContentSearch.DefaultChunkSize + PlanContentSearch.Overlap - 64,
        PlanContentSearch.DefaultChunkSize + PlanContentSearch.Overlap - 2,
        PlanContentSearch.DefaultChunkSize + PlanContentSearch.Overlap,
    };

    [Theory]
    [MemberData(nameof(Boundaries))]
    public void A_library_straddling_a_window_boundary_is_found_once(int at)
    {
        byte[] plan = Plan(new byte[at], Elf(), new byte[100]);
        ModelScanResult result = Scan.Bytes(plan, "model.plan");
        ModelFinding native = Single(result, "MA3160");
        Assert.Equal(28 + at, native.Offset);
        Assert.Equal($"ELF x86-64 shared object, {Elf().Length:N0} bytes", native.Evidence);
    }

    [Fact]
    public void Every_split_of_a_header_or_name_across_windows_and_reads_is_seen_once()
    {
        const int Chunk = 4096;
        foreach (int boundary in new[] { Chunk, Chunk + PlanContentSearch.Overlap, 2 * Chunk + PlanContentSearch.Overlap })
        {
            for (int shift = -80; shift <= 4; shift++)
            {
                int at = boundary + shift;
                byte[] name = Text("YoloLayer_TRT");

                // The name straddles the next window's start the same way (the library before it is skipped whole).
                byte[] data = Concat(new byte[at], Elf(), new byte[Chunk - Elf().Length - 6], name, new byte[50]);
                PlanContents found = PlanContentSearch.Search(new MemoryStream(data), 0, CancellationToken.None, Chunk);
                NativeImage image = Assert.Single(found.HostImages);
                Assert.Equal(at, image.Offset);
                Assert.Equal(Elf().Length, image.Size);
                Assert.Equal(new[] { "YoloLayer_TRT" }, found.PluginNames.Keys);
                Assert.Equal(at + Chunk - 2, found.PluginNames["YoloLayer_TRT"]);
            }
        }
    }

    [Fact]
    public void A_printable_run_longer_than_a_name_is_not_read_from_its_middle()
    {
        // The run outlasts a whole window, and its last 50 bytes, with a plugin-like name, begin a later window (the
        // zeros after it keep windows coming).
        const int Chunk = 4096;
        int end = 20 * Chunk + 50;
        byte[] run = Encoding.ASCII.GetBytes(new string('a', end - 10 - 10) + "Hidden_TRT");
        byte[] data = Concat(new byte[10], run, new byte[PlanContentSearch.Overlap + 2 * Chunk]);
        PlanContents found = PlanContentSearch.Search(new MemoryStream(data), 0, CancellationToken.None, Chunk);
        Assert.Empty(found.PluginNames);
    }

    [Theory]
    [InlineData("benign/tensorrt_plan.engine")]
    [InlineData("benign/tensorrt_yolo_ultralytics.engine")]
    public void The_committed_benign_plans_are_clean(string fixture)
    {
        ModelScanResult result = Scan.File(Scan.Fixture(fixture));
        Assert.Equal("TensorRT", result.Format);
        Assert.True(result.Outcome == ScanOutcome.Clean, result.Describe());
        Assert.DoesNotContain(result.Findings, f => f.Severity != Severity.Info);
    }

    [Theory]
    [InlineData("malicious/tensorrt_serialized_plugin.plan", "ELF x86-64 shared object")]
    [InlineData("malicious/tensorrt_plugin_dll.engine", "PE x86-64 DLL")]
    public void The_committed_plans_with_a_plugin_library_are_critical(string fixture, string evidence)
    {
        ModelScanResult result = Scan.File(Scan.Fixture(fixture));
        ModelFinding native = Single(result, "MA3160");
        Assert.Equal(Severity.Critical, native.Severity);
        Assert.StartsWith(evidence, native.Evidence);
        Assert.Equal("CustomPlugin_TRT", Single(result, "MA3161").Evidence);
    }
}
