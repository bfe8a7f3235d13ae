using System.IO.Compression;
using System.Text;

namespace ModelAudit.Engine.Tests;

/// <summary>Executables that carry a model: a llamafile (a program with a zip of its weights appended) and a program
/// with a raw GGUF inside. The executable is reported as such and the model is scanned.</summary>
public sealed class LlamafileTests
{
    private const string Secret = "AKIADN73U55XTPLPFT7V";

    // An ELF header followed by code-like bytes, including the string "GGUF" as llama.cpp's own loader has it.
    private static byte[] Program()
    {
        var elf = new MemoryStream();
        elf.Write(new byte[] { 0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0 });
        elf.Write(new byte[120]);
        elf.Write(Encoding.ASCII.GetBytes("\0GGUF\0invalid magic characters '%s'\0gguf_init_from_file\0"));
        elf.Write(Enumerable.Range(0, 4000).Select(i => (byte)(i * 31)).ToArray());
        return elf.ToArray();
    }

    private static byte[] Model() => GgufBuilder.TinyLlama().String("general.source.url", "token " + Secret).Build();

    [Fact]
    public void A_llamafile_is_an_executable_model_whose_weights_are_scanned()
    {
        byte[] zip = ArchiveBuilder.Zip(CompressionLevel.NoCompression, ("tiny.gguf", Model()), (".args", "-m\ntiny.gguf\n"u8.ToArray()));
        ModelScanResult result = Scan.Bytes(Program().Concat(zip).ToArray(), "tiny.llamafile");
        Assert.True(result.Has("MA1160", Severity.Warning), result.Describe());
        Assert.True(result.Has("MA6003", Severity.Warning), result.Describe());
        Assert.Contains(result.Findings, f => f.RuleId == "MA4001" && f.Member == "tiny.gguf");
        Assert.DoesNotContain(result.Findings, f => f.RuleId is "MA6001" or "MA6004");
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Fact]
    public void A_raw_gguf_inside_a_program_is_found_past_the_decoy_magic()
    {
        byte[] program = Program();
        byte[] file = program.Concat(Model()).Concat(new byte[100]).ToArray();
        ModelScanResult result = Scan.Bytes(file, "runner");
        ModelFinding executable = Assert.Single(result.Findings, f => f.RuleId == "MA1160");
        Assert.Equal(program.Length, executable.Offset);
        Assert.Contains(result.Findings, f => f.RuleId == "MA4001" && f.Member == "embedded.gguf");
    }

    [Fact]
    public void A_llamafile_inside_an_archive_is_scanned_too()
    {
        byte[] llamafile = Program().Concat(ArchiveBuilder.Zip(("tiny.gguf", Model()))).ToArray();
        ModelScanResult result = Scan.Bytes(ArchiveBuilder.Zip(("bundle/tiny.llamafile", llamafile)), "bundle.zip");
        Assert.True(result.Has("MA1160", Severity.Warning), result.Describe());
        Assert.Contains(result.Findings, f => f.RuleId == "MA4001" && f.Member!.EndsWith("tiny.gguf", StringComparison.Ordinal));
    }

    [Fact]
    public void A_program_without_a_model_is_only_an_executable()
    {
        ModelScanResult result = Scan.Bytes(Program(), "tool.so");
        Assert.True(result.Has("MA6003", Severity.Warning), result.Describe());
        Assert.False(result.Has("MA1160"), result.Describe());
    }
}
