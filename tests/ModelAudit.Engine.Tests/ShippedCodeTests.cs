using System.Text;

namespace ModelAudit.Engine.Tests;

/// <summary>Python shipped with a model: tokenized, calls resolved through imports, graded by what they do.</summary>
public sealed class ShippedCodeTests
{
    private static ModelScanResult ScanCode(string code, string name = "modeling_tiny.py") => Scan.Bytes(Encoding.UTF8.GetBytes(code), name);

    private const string OrdinaryModelling = """"
        import math
        import torch
        from torch import nn
        import torch.nn.functional as F
        import base64  # used for image payloads


        class TinyAttention(nn.Module):
            """Attention. We eval() the model and never exec anything; os.system is not used here."""

            def __init__(self, config):
                super().__init__()
                self.scale = 1 / math.sqrt(config.hidden_size)
                self.proj = nn.Linear(config.hidden_size, config.hidden_size)
                self.pattern = re_compile = None

            def forward(self, x):
                # exec(x) would be bad; this is a comment
                y = F.softmax(self.proj(x) * self.scale, dim=-1)
                return y

            def eval_mode(self):
                self.eval()
                return torch.compile(self)

            def decode_image(self, data):
                return base64.b64decode(data)
        """";

    [Fact]
    public void Ordinary_modelling_code_is_silent()
    {
        ModelScanResult result = ScanCode(OrdinaryModelling);
        Assert.True(result.Outcome == ScanOutcome.Clean && result.Findings.Count == 0, result.Describe());
    }

    [Theory]
    [InlineData("import subprocess as sp\nsp.run(['ls'])\n", "subprocess.run")]
    [InlineData("from os import system\nsystem('id')\n", "os.system")]
    [InlineData("import os\n\n\ndef f():\n    os.popen('id')\n", "os.popen")]
    [InlineData("x = eval(user_input)\n", "eval")]
    [InlineData("import pickle\nobj = pickle.loads(blob)\n", "pickle.loads")]
    [InlineData("m = __import__('os')\n", "__import__")]
    public void Execution_primitives_are_warnings_with_line_numbers(string code, string call)
    {
        ModelScanResult result = ScanCode(code);
        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA1172");
        Assert.Equal(Severity.Warning, finding.Severity);
        Assert.Contains(call, finding.Message);
        Assert.Matches(@"line \d+", finding.Message);
    }

    [Theory]
    [InlineData("import base64\nexec(base64.b64decode('cHJpbnQoMSk='))\n")]
    [InlineData("import base64\npayload = base64.b64decode(blob)\nexec(payload)\n")]
    [InlineData("exec(''.join(chr(c) for c in [112, 114]))\n")]
    [InlineData("eval(bytes.fromhex('7072696e74').decode())\n")]
    [InlineData("m = __import__('o' + 's')\n")]
    [InlineData("import os\ngetattr(os, 'sys' + 'tem')('id')\n")]
    [InlineData("import zlib as z, base64 as b\nexec(z.decompress(b.b64decode(d)))\n")]
    public void Obfuscated_execution_is_critical(string code)
    {
        ModelScanResult result = ScanCode(code);
        Assert.True(result.Has("MA1171", Severity.Critical), result.Describe());
    }

    [Fact]
    public void Network_and_file_deletion_are_info_at_their_lines()
    {
        ModelScanResult result = ScanCode("import requests\nimport shutil\n\nr = requests.get(url)\nshutil.rmtree(path)\n");
        Assert.Contains(result.Findings, f => f.RuleId == "MA1173" && f.Severity == Severity.Info && f.Message.Contains("line 4"));
        Assert.Contains(result.Findings, f => f.RuleId == "MA1174" && f.Severity == Severity.Info && f.Message.Contains("line 5"));
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
    }

    [Fact]
    public void Strings_and_comments_that_mention_calls_are_not_calls()
    {
        string code = "doc = 'os.system(\"rm -rf /\")'\nnote = \"\"\"\nexec(base64.b64decode(x))\n\"\"\"\n# subprocess.run(['x'])\n";
        ModelScanResult result = ScanCode(code);
        Assert.True(result.Findings.Count == 0, result.Describe());
    }

    [Fact]
    public void Python_with_execution_in_an_archive_is_reported_once_by_what_it_runs()
    {
        // One script, one finding: the line-numbered MA1172, not also "the archive carries a script" (MA2007).
        byte[] zip = ArchiveBuilder.Zip(("handler.py", Encoding.UTF8.GetBytes("import os\nos.system('id')\n")), ("config.json", "{}"u8.ToArray()));
        ModelScanResult result = Scan.Bytes(zip, "model.zip");
        ModelFinding finding = Assert.Single(result.Findings);
        Assert.Equal(("MA1172", "handler.py"), (finding.RuleId, finding.Member));
    }

    [Fact]
    public void Python_without_execution_in_an_archive_is_still_a_script_in_the_archive()
    {
        byte[] zip = ArchiveBuilder.Zip(("modeling_tiny.py", Encoding.UTF8.GetBytes(OrdinaryModelling)), ("run.sh", "#!/bin/sh\necho hi\n"u8.ToArray()));
        ModelScanResult result = Scan.Bytes(zip, "model.zip");
        Assert.Equal(new[] { "modeling_tiny.py", "run.sh" }, result.Findings.Where(f => f.RuleId == "MA2007").Select(f => f.Member).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(result.Findings, f => f.RuleId.StartsWith("MA117", StringComparison.Ordinal));
    }

    [Fact]
    public void Code_inside_an_archive_is_analyzed_as_well()
    {
        byte[] zip = ArchiveBuilder.Zip(("handler.py", Encoding.UTF8.GetBytes("import os\nos.system('curl x | sh')\n")));
        ModelScanResult result = Scan.Bytes(zip, "model.mar");
        Assert.Contains(result.Findings, f => f.RuleId == "MA1172" && f.Member == "handler.py");
    }
}
