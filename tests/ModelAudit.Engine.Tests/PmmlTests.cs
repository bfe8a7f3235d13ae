using System.Text;

namespace ModelAudit.Engine.Tests;

/// <summary>PMML documents shaped as sklearn2pmml/JPMML write them, and their hostile variants.</summary>
public sealed class PmmlTests
{
    private static byte[] Document(string extension = "", string prolog = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n") =>
        Encoding.UTF8.GetBytes(prolog + """
            <PMML xmlns="http://www.dmg.org/PMML-4_4" xmlns:data="http://jpmml.org/jpmml-model/InlineTable" version="4.4">
            	<Header>
            		<Application name="SkLearn2PMML package" version="0.92.2"/>
            		<Timestamp>2024-05-01T10:00:00Z</Timestamp>
            	</Header>
            """ + extension + """
            	<DataDictionary>
            		<DataField name="y" optype="categorical" dataType="integer"><Value value="0"/><Value value="1"/></DataField>
            		<DataField name="x1" optype="continuous" dataType="double"/>
            	</DataDictionary>
            	<TreeModel functionName="classification" algorithmName="sklearn.tree._classes.DecisionTreeClassifier" missingValueStrategy="nullPrediction">
            		<MiningSchema><MiningField name="y" usageType="target"/><MiningField name="x1"/></MiningSchema>
            		<Node>
            			<True/>
            			<Node score="0" recordCount="5"><SimplePredicate field="x1" operator="lessOrEqual" value="0.5"/></Node>
            			<Node score="1" recordCount="5"><True/></Node>
            		</Node>
            	</TreeModel>
            </PMML>
            """);

    [Fact]
    public void A_sklearn2pmml_tree_is_clean()
    {
        ModelScanResult result = Scan.Bytes(Document(), "model.pmml");
        Assert.Equal("PMML", result.Format);
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void A_doctype_is_a_warning_and_its_entities_are_never_expanded()
    {
        string prolog = "<?xml version=\"1.0\"?>\n<!DOCTYPE PMML [<!ENTITY xxe SYSTEM \"file:///etc/passwd\"><!ENTITY lol \"lol\">]>\n";
        ModelScanResult result = Scan.Bytes(Document("<Extension name=\"x\" value=\"&xxe;\"/>", prolog), "model.pmml");
        Assert.True(result.Has("MA6170", Severity.Warning), result.Describe());

        // The entity is undeclared for a reader that ignores the DTD: a parse error, never the file's contents.
        Assert.True(result.Has("MA9001"), result.Describe());
        Assert.DoesNotContain(result.Findings, f => f.Message.Contains("root:"));
    }

    [Fact]
    public void A_doctype_without_entities_is_still_reported()
    {
        ModelScanResult result = Scan.Bytes(Document(prolog: "<?xml version=\"1.0\"?>\n<!DOCTYPE PMML>\n"), "model.pmml");
        Assert.True(result.Has("MA6170", Severity.Warning), result.Describe());
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Fact]
    public void An_extension_carrying_python_is_a_warning()
    {
        string extension = """
                <Extension name="preprocess" extender="vendor">
                    import os
                    import subprocess
                    def run(x):
                        return os.system(x)
                </Extension>
            """;
        ModelScanResult result = Scan.Bytes(Document(extension), "model.pmml");
        Assert.True(result.Has("MA1140", Severity.Warning), result.Describe());
    }

    [Fact]
    public void An_extension_with_a_script_element_is_a_warning()
    {
        ModelScanResult result = Scan.Bytes(Document("<Extension name=\"hook\"><Script language=\"python\">print(1)</Script></Extension>"), "model.pmml");
        Assert.True(result.Has("MA1140", Severity.Warning), result.Describe());
    }

    [Fact]
    public void A_data_only_extension_is_clean_and_its_text_reaches_the_analyzers()
    {
        Assert.Equal(ScanOutcome.Clean, Scan.Bytes(Document("<Extension name=\"repr\" value=\"PMMLPipeline(steps=[...])\"/>"), "model.pmml").Outcome);
        ModelScanResult secret = Scan.Bytes(Document("<Extension name=\"note\" value=\"AKIADN73U55XTPLPFT7V\"/>"), "model.pmml");
        Assert.True(secret.Has("MA4001"), secret.Describe());
    }

    [Fact]
    public void Malformed_xml_is_a_parse_error()
    {
        byte[] doc = Document();
        ModelScanResult result = Scan.Bytes(doc[..(doc.Length / 2)], "model.pmml");
        Assert.True(result.Has("MA9001"), result.Describe());
        Assert.Equal(ScanOutcome.Inconclusive, result.Outcome);
    }
}
