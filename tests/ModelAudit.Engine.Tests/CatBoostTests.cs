using System.Buffers.Binary;
using static ModelAudit.Engine.Tests.FlatBufferWriter;

namespace ModelAudit.Engine.Tests;

/// <summary>CatBoost .cbm files: "CBM1", u32 core size, the TModelCore flatbuffer of model.fbs, then the parts.</summary>
public sealed class CatBoostTests
{
    private static Table KeyValue(string key, string value) => new((0, new Str(key)), (1, new Str(value)));

    private static byte[] Model(string paramsJson = "{\"loss_function\":\"Logloss\",\"iterations\":10}", string[]? parts = null, byte[]? tail = null, uint? declaredSize = null)
    {
        var fields = new List<(int, Node)>
        {
            (0, new Str("FlabuffersModel_v1")),
            (1, new Table((0, I32(6)))),
            (2, new Tables(KeyValue("catboost_version_info", "Git info: 1.2.5"), KeyValue("params", paramsJson), KeyValue("model_guid", "3f2a"))),
        };
        if (parts is not null)
        {
            fields.Add((3, new Tables(parts.Select(p => new Table((0, new Str(p)))).ToArray())));
        }

        byte[] core = Build(new Table(fields.ToArray()));
        byte[] file = new byte[8 + core.Length + (tail?.Length ?? 0)];
        "CBM1"u8.CopyTo(file);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4), declaredSize ?? (uint)core.Length);
        core.CopyTo(file, 8);
        tail?.CopyTo(file, 8 + core.Length);
        return file;
    }

    [Fact]
    public void A_model_without_ctr_parts_is_clean()
    {
        ModelScanResult result = Scan.Bytes(Model(), "model.cbm");
        Assert.Equal("CatBoost", result.Format);
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void A_model_with_its_listed_parts_is_clean()
    {
        ModelScanResult result = Scan.Bytes(Model(parts: new[] { "static_provider_v1" }, tail: new byte[64]), "model.cbm");
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
    }

    [Fact]
    public void A_core_size_past_the_file_is_a_warning()
    {
        ModelScanResult result = Scan.Bytes(Model(declaredSize: 1u << 31), "model.cbm");
        Assert.True(result.Has("MA6176", Severity.Warning), result.Describe());
    }

    [Fact]
    public void Bytes_no_part_owns_are_a_warning()
    {
        ModelScanResult result = Scan.Bytes(Model(tail: new byte[100]), "model.cbm");
        Assert.True(result.Has("MA6176", Severity.Warning), result.Describe());
    }

    [Fact]
    public void Training_params_go_to_the_analyzers()
    {
        ModelScanResult result = Scan.Bytes(Model("{\"note\":\"AKIADN73U55XTPLPFT7V\"}"), "model.cbm");
        Assert.True(result.Has("MA4001"), result.Describe());
    }

    [Fact]
    public void A_corrupt_root_offset_is_a_parse_error()
    {
        byte[] model = Model();
        model[8] = 0xFF;
        model[9] = 0xFF;
        ModelScanResult result = Scan.Bytes(model, "model.cbm");
        Assert.True(result.Has("MA9001"), result.Describe());
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
    }
}
