using System.Text;

namespace ModelAudit.Engine.Tests;

/// <summary>OpenVINO IR v11 networks (the layout ovc / serialize() writes) with their .bin beside them.</summary>
public sealed class OpenVinoTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ma-openvino-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static string Network(string extraLayer = "", string constAttributes = "offset=\"0\" size=\"64\"", string prolog = "<?xml version=\"1.0\"?>\n") =>
        prolog + $"""
        <net name="Model0" version="11">
        	<layers>
        		<layer id="0" name="x" type="Parameter" version="opset1">
        			<data shape="1,16" element_type="f32" />
        			<output><port id="0" precision="FP32" names="x"><dim>1</dim><dim>16</dim></port></output>
        		</layer>
        		<layer id="1" name="w" type="Const" version="opset1">
        			<data element_type="f32" shape="16" {constAttributes} />
        			<output><port id="0" precision="FP32"><dim>16</dim></port></output>
        		</layer>
        		<layer id="2" name="add" type="Add" version="opset1">
        			<data auto_broadcast="numpy" />
        			<input><port id="0" precision="FP32"><dim>1</dim><dim>16</dim></port><port id="1" precision="FP32"><dim>16</dim></port></input>
        			<output><port id="2" precision="FP32" names="y"><dim>1</dim><dim>16</dim></port></output>
        		</layer>
        {extraLayer}
        		<layer id="3" name="y" type="Result" version="opset1">
        			<input><port id="0" precision="FP32"><dim>1</dim><dim>16</dim></port></input>
        		</layer>
        	</layers>
        	<edges>
        		<edge from-layer="0" from-port="0" to-layer="2" to-port="0" />
        		<edge from-layer="1" from-port="0" to-layer="2" to-port="1" />
        		<edge from-layer="2" from-port="2" to-layer="3" to-port="0" />
        	</edges>
        	<rt_info>
        		<MO_version value="2024.1.0" />
        		<Runtime_version value="2024.1.0" />
        		<conversion_parameters><framework value="onnx" /></conversion_parameters>
        	</rt_info>
        </net>
        """;

    private ModelScanResult ScanPair(string xml, int? binLength = 64)
    {
        string path = Path.Combine(_dir, "model.xml");
        File.WriteAllText(path, xml, Encoding.UTF8);
        if (binLength is { } n)
        {
            File.WriteAllBytes(Path.Combine(_dir, "model.bin"), new byte[n]);
        }

        return Scan.File(path);
    }

    [Fact]
    public void A_standard_network_with_its_weights_is_clean()
    {
        ModelScanResult result = ScanPair(Network());
        Assert.Equal("OpenVINO", result.Format);
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void A_layer_outside_the_standard_opsets_is_a_custom_layer()
    {
        string layer = "<layer id=\"9\" name=\"mine\" type=\"MyCustomOp\" version=\"custom_extension\"><data k=\"1\" /></layer>";
        ModelScanResult result = ScanPair(Network(layer));
        Assert.True(result.Has("MA3083", Severity.Warning), result.Describe());
        Assert.Contains(result.Findings, f => f.RuleId == "MA3083" && f.Message.Contains("MyCustomOp"));
    }

    [Fact]
    public void A_native_library_reference_is_reported()
    {
        string layer = "<layer id=\"9\" name=\"ext\" type=\"Relu\" version=\"opset1\"><data library=\"/tmp/libevil.so\" /></layer>";
        ModelScanResult result = ScanPair(Network(layer));
        Assert.True(result.Has("MA3084", Severity.Warning), result.Describe());
    }

    [Fact]
    public void Weights_past_the_end_of_the_bin_are_a_warning()
    {
        ModelScanResult result = ScanPair(Network(constAttributes: "offset=\"32\" size=\"64\""));
        Assert.True(result.Has("MA6172", Severity.Warning), result.Describe());
    }

    [Fact]
    public void A_missing_bin_is_noted()
    {
        ModelScanResult result = ScanPair(Network(), binLength: null);
        Assert.True(result.Has("MA6173", Severity.Info), result.Describe());
    }

    [Fact]
    public void A_doctype_is_a_warning()
    {
        ModelScanResult result = ScanPair(Network(prolog: "<?xml version=\"1.0\"?>\n<!DOCTYPE net [<!ENTITY a \"b\">]>\n"));
        Assert.True(result.Has("MA6170", Severity.Warning), result.Describe());
    }

    [Fact]
    public void Runtime_info_goes_to_the_analyzers()
    {
        string xml = Network().Replace("<framework value=\"onnx\" />", "<framework value=\"AKIADN73U55XTPLPFT7V\" />");
        ModelScanResult result = ScanPair(xml);
        Assert.True(result.Has("MA4001"), result.Describe());
    }
}
