using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ModelAudit.Engine.Reporting;
using ModelAudit.Engine.Scanning;
using ModelAudit.Engine.Sources;

namespace ModelAudit.Engine.Tests;

/// <summary>The report writers over real scan results: schema-valid, deterministic, and saying what the scan found.</summary>
public sealed class ReportTests
{
    private static readonly string[] s_fixtures =
    {
        "benign/torch_state_dict.pt",
        "benign/numpy_float.npy",
        "malicious/os_system_p4.pkl",
        "malicious/torch_zip_os_system.pt",
        "malicious/numpy_object_array.npy",
    };

    private static IReadOnlyList<ModelScanResult> ScanFixtures(ScanOptions? options = null, int throttle = 2)
    {
        var engine = new ScanEngine(options ?? new ScanOptions());
        ScanItem[] items = s_fixtures.Select(f => LocalFileSource.ItemFor(Scan.Fixture(f))).ToArray();
        using var scan = new ParallelScan(engine, items, throttle, CancellationToken.None);
        return Enumerable.Range(0, items.Length).Select(i => scan.Take(i, CancellationToken.None)).ToArray();
    }

    private static string Render(string format, IReadOnlyList<ModelScanResult> results, bool deterministic = false) =>
        Encoding.UTF8.GetString(ReportWriters.ToBytes(format, new ScanReport(results)
        {
            BasePath = Scan.RepoRoot,
            DeterministicSerialNumber = deterministic,
        }));

    [Fact]
    public void JsonReportMatchesOurSchemaAndTheResults()
    {
        IReadOnlyList<ModelScanResult> results = ScanFixtures();
        string text = Render("Json", results);
        ReportSchemas.AssertValid(ReportSchemas.Json, text);

        using JsonDocument json = JsonDocument.Parse(text);
        JsonElement root = json.RootElement;
        Assert.Equal(ExitCode.Findings, root.GetProperty("exitCode").GetInt32());
        Assert.Equal(results.Count, root.GetProperty("summary").GetProperty("files").GetInt32());
        Assert.Equal(results.Count(r => r.Outcome == ScanOutcome.Clean), root.GetProperty("summary").GetProperty("clean").GetInt32());
        Assert.Equal(results.Sum(r => r.CriticalCount), root.GetProperty("summary").GetProperty("critical").GetInt32());
        JsonElement pickle = root.GetProperty("results")[2];
        Assert.Equal(results[2].Path, pickle.GetProperty("path").GetString());
        Assert.Equal(results[2].Sha256, pickle.GetProperty("sha256").GetString());
        Assert.Equal("Issues", pickle.GetProperty("outcome").GetString());
        JsonElement finding = pickle.GetProperty("findings")[0];
        Assert.Equal("MA1001", finding.GetProperty("ruleId").GetString());
        Assert.Equal("Critical", finding.GetProperty("severity").GetString());
        Assert.Equal(results[2].Findings[0].Fingerprint, finding.GetProperty("fingerprint").GetString());
    }

    [Fact]
    public void JsonReportRecordsTheScanSettingsSharedAtTheTopAndOnlyDifferencesOnAResult()
    {
        static SortedDictionary<string, string> Settings(string recurse) => new(StringComparer.Ordinal)
        {
            ["Recurse"] = recurse,
            ["Policy"] = "/policies/fleet.psd1",
            ["Policy.Sha256"] = new string('a', 64),
        };

        // Results merged from two scans: one with -Recurse, one without; a third made without settings at all.
        var engineA = new ScanEngine(new ScanOptions { RecordedSettings = Settings("True") });
        var engineB = new ScanEngine(new ScanOptions { RecordedSettings = Settings("False") });
        var results = new[]
        {
            engineA.Scan(LocalFileSource.ItemFor(Scan.Fixture(s_fixtures[0])), CancellationToken.None),
            engineB.Scan(LocalFileSource.ItemFor(Scan.Fixture(s_fixtures[2])), CancellationToken.None),
            new ScanEngine(new ScanOptions()).Scan(LocalFileSource.ItemFor(Scan.Fixture(s_fixtures[1])), CancellationToken.None),
        };
        Assert.Equal("True", results[0].Settings["Recurse"]);
        string text = Render("Json", results);
        ReportSchemas.AssertValid(ReportSchemas.Json, text);

        using JsonDocument json = JsonDocument.Parse(text);
        JsonElement top = json.RootElement.GetProperty("settings");
        Assert.Equal("/policies/fleet.psd1", top.GetProperty("Policy").GetString());
        Assert.Equal(new string('a', 64), top.GetProperty("Policy.Sha256").GetString());
        Assert.False(top.TryGetProperty("Recurse", out _));
        JsonElement[] rows = json.RootElement.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal("True", rows[0].GetProperty("settings").GetProperty("Recurse").GetString());
        Assert.Equal("False", rows[1].GetProperty("settings").GetProperty("Recurse").GetString());
        Assert.False(rows[1].GetProperty("settings").TryGetProperty("Policy", out _));
        Assert.False(rows[2].TryGetProperty("settings", out _));
    }

    [Fact]
    public void DeclaredTensorsAreSummedIntoTheReportAndTheModelCard()
    {
        ModelScanResult weights = Scan.Bytes(SafeTensors(), "model.safetensors");
        Assert.Equal(ScanOutcome.Clean, weights.Outcome);
        string text = Render("Json", new[] { weights });
        ReportSchemas.AssertValid(ReportSchemas.Json, text);
        JsonElement result = JsonDocument.Parse(text).RootElement.GetProperty("results")[0];
        Assert.Equal(2, result.GetProperty("tensorCount").GetInt64());
        Assert.Equal(8, result.GetProperty("parameterCount").GetInt64());
        Assert.Equal(new[] { "BF16", "F32" }, result.GetProperty("tensorDTypes").EnumerateArray().Select(e => e.GetString()));

        string bom = Render("CycloneDx", new[] { weights });
        ReportSchemas.AssertValid(ReportSchemas.CycloneDx, bom);
        JsonElement card = JsonDocument.Parse(bom).RootElement.GetProperty("components")[0].GetProperty("modelCard");
        Assert.Contains(card.GetProperty("properties").EnumerateArray(),
            p => p.GetProperty("name").GetString() == "modelaudit:parameterCount" && p.GetProperty("value").GetString() == "8");
    }

    [Fact]
    public void TheLicenseFoundInAModelCardIsTheComponentsLicense()
    {
        ModelScanResult card = Scan.File(Scan.Fixture(Path.Combine("hf_repo", "README.md")));
        Assert.NotNull(card.License);
        string bom = Render("CycloneDx", new[] { card });
        ReportSchemas.AssertValid(ReportSchemas.CycloneDx, bom);
        JsonElement license = JsonDocument.Parse(bom).RootElement.GetProperty("components")[0].GetProperty("licenses")[0].GetProperty("license");
        Assert.Equal(card.License!.SpdxId ?? card.License.Name,
            license.TryGetProperty("id", out JsonElement id) ? id.GetString() : license.GetProperty("name").GetString());
    }

    // A 2x2 F32 tensor and a 4-element BF16 tensor, as safetensors writes them.
    private static byte[] SafeTensors()
    {
        byte[] header = Encoding.UTF8.GetBytes(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},\"b\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[16,24]}}");
        byte[] data = new byte[8 + header.Length + 24];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(data, (ulong)header.Length);
        header.CopyTo(data, 8);
        return data;
    }

    [Fact]
    public void OurSchemaRejectsAReportWithoutResults()
    {
        string text = Render("Json", ScanFixtures());
        var node = System.Text.Json.Nodes.JsonNode.Parse(text)!.AsObject();
        node.Remove("results");
        Assert.False(ReportSchemas.Evaluate(ReportSchemas.Json, node.ToJsonString()).Valid);
    }

    [Fact]
    public void SarifIsValidAndCarriesRulesLevelsFingerprintsAndArtifacts()
    {
        IReadOnlyList<ModelScanResult> results = ScanFixtures();
        string text = Render("Sarif", results);
        ReportSchemas.AssertValid(ReportSchemas.Sarif, text);

        using JsonDocument json = JsonDocument.Parse(text);
        JsonElement run = json.RootElement.GetProperty("runs")[0];
        JsonElement rules = run.GetProperty("tool").GetProperty("driver").GetProperty("rules");
        Assert.Equal(ModelAuditCatalog.Rules.Count, rules.GetArrayLength());
        JsonElement ma1001 = rules.EnumerateArray().Single(r => r.GetProperty("id").GetString() == "MA1001");
        Assert.EndsWith("docs/rules/MA1001.md", ma1001.GetProperty("helpUri").GetString());
        Assert.Equal("error", ma1001.GetProperty("defaultConfiguration").GetProperty("level").GetString());
        Assert.Equal("9.8", ma1001.GetProperty("properties").GetProperty("security-severity").GetString());

        JsonElement artifact = run.GetProperty("artifacts")[2];
        Assert.Equal("tests/fixtures/malicious/os_system_p4.pkl", artifact.GetProperty("location").GetProperty("uri").GetString());
        Assert.Equal("SRCROOT", artifact.GetProperty("location").GetProperty("uriBaseId").GetString());
        Assert.Equal(results[2].Sha256, artifact.GetProperty("hashes").GetProperty("sha-256").GetString());
        Assert.Equal(1, run.GetProperty("invocations")[0].GetProperty("exitCode").GetInt32());

        JsonElement[] sarifResults = run.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(results.Sum(r => r.Findings.Count), sarifResults.Length);
        foreach (JsonElement result in sarifResults)
        {
            Assert.Matches("^(error|warning|note)$", result.GetProperty("level").GetString()!);
            Assert.Matches("^[0-9a-f]{32}$", result.GetProperty("partialFingerprints").GetProperty(SarifReportWriter.FingerprintKey).GetString()!);
            int index = result.GetProperty("ruleIndex").GetInt32();
            Assert.Equal(result.GetProperty("ruleId").GetString(), rules[index].GetProperty("id").GetString());
        }

        // A member inside a container is a logical location of the file's result.
        ModelFinding member = results[3].Findings.First(f => f.Member is not null);
        JsonElement memberResult = sarifResults.First(r => r.GetProperty("locations")[0].TryGetProperty("logicalLocations", out _));
        Assert.Equal(member.Member, memberResult.GetProperty("locations")[0].GetProperty("logicalLocations")[0].GetProperty("fullyQualifiedName").GetString());
        Assert.Equal(3, memberResult.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("index").GetInt32());
    }

    [Fact]
    public void SarifSdkReadsTheReportBack()
    {
        IReadOnlyList<ModelScanResult> results = ScanFixtures();
        var log = Newtonsoft.Json.JsonConvert.DeserializeObject<Microsoft.CodeAnalysis.Sarif.SarifLog>(Render("Sarif", results))!;
        Microsoft.CodeAnalysis.Sarif.Run run = Assert.Single(log.Runs);
        Assert.Equal(results.Sum(r => r.Findings.Count), run.Results.Count);
        Assert.Equal(Microsoft.CodeAnalysis.Sarif.FailureLevel.Error, run.Results[0].Level);
        Assert.Equal(results[2].Sha256, run.Artifacts[2].Hashes["sha-256"]);
        Assert.Equal(ModelAuditCatalog.Rules.Count, run.Tool.Driver.Rules.Count);
        Assert.Equal(1, run.Invocations[0].ExitCode);
    }

    [Fact]
    public void SarifSchemaRejectsAnUnknownLevel()
    {
        string text = Render("Sarif", ScanFixtures()).Replace("\"level\": \"error\"", "\"level\": \"fatal\"", StringComparison.Ordinal);
        Assert.False(ReportSchemas.Evaluate(ReportSchemas.Sarif, text).Valid);
    }

    [Fact]
    public void SbomIsValidCycloneDx16WithModelCardsHashesAndVulnerabilities()
    {
        IReadOnlyList<ModelScanResult> results = ScanFixtures();
        string text = Render("CycloneDx", results);
        ReportSchemas.AssertValid(ReportSchemas.CycloneDx, text);

        using JsonDocument json = JsonDocument.Parse(text);
        JsonElement root = json.RootElement;
        Assert.Equal("1.6", root.GetProperty("specVersion").GetString());
        Assert.Equal("ModelAudit", root.GetProperty("metadata").GetProperty("tools").GetProperty("components")[0].GetProperty("name").GetString());
        JsonElement[] components = root.GetProperty("components").EnumerateArray().ToArray();
        Assert.Equal(results.Count, components.Length);
        JsonElement weights = components[0];
        Assert.Equal("machine-learning-model", weights.GetProperty("type").GetString());
        Assert.Equal(results[0].Sha256, weights.GetProperty("hashes")[0].GetProperty("content").GetString());
        Assert.Contains(weights.GetProperty("modelCard").GetProperty("properties").EnumerateArray(),
            p => p.GetProperty("name").GetString() == "modelaudit:tensorCount" && p.GetProperty("value").GetString() == results[0].TensorCount.ToString());
        Assert.Contains(components[2].GetProperty("properties").EnumerateArray(),
            p => p.GetProperty("name").GetString() == "modelaudit:outcome" && p.GetProperty("value").GetString() == "Issues");

        // The PyTorch zip's pickle member is a nested component, and its CVE affects that member.
        string memberRef = components[3].GetProperty("components")[0].GetProperty("bom-ref").GetString()!;
        JsonElement torchCve = root.GetProperty("vulnerabilities").EnumerateArray().Single(v => v.GetProperty("id").GetString() == "CVE-2025-32434");
        Assert.Contains(torchCve.GetProperty("affects").EnumerateArray(), a => a.GetProperty("ref").GetString()!.StartsWith(memberRef, StringComparison.Ordinal));
        JsonElement numpyCve = root.GetProperty("vulnerabilities").EnumerateArray().Single(v => v.GetProperty("id").GetString() == "CVE-2019-6446");
        Assert.Equal(components[4].GetProperty("bom-ref").GetString(), numpyCve.GetProperty("affects")[0].GetProperty("ref").GetString());
        Assert.Equal("critical", numpyCve.GetProperty("ratings")[0].GetProperty("severity").GetString());
    }

    [Fact]
    public void CycloneDxSchemaRejectsAnUnknownComponentType()
    {
        string text = Render("CycloneDx", ScanFixtures()).Replace("\"machine-learning-model\"", "\"neural-net\"", StringComparison.Ordinal);
        Assert.False(ReportSchemas.Evaluate(ReportSchemas.CycloneDx, text).Valid);
    }

    [Fact]
    public void DeterministicSerialNumberDependsOnContentOnly()
    {
        IReadOnlyList<ModelScanResult> results = ScanFixtures();
        string Serial(IReadOnlyList<ModelScanResult> r, bool deterministic) =>
            JsonDocument.Parse(Render("CycloneDx", r, deterministic)).RootElement.GetProperty("serialNumber").GetString()!;
        Assert.Equal(Serial(results, true), Serial(ScanFixtures(), true));
        Assert.NotEqual(Serial(results, true), Serial(results.Take(2).ToArray(), true));
        Assert.NotEqual(Serial(results, false), Serial(results, false));
        Assert.Matches("^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", Serial(results, true));
    }

    [Theory]
    [InlineData("Json")]
    [InlineData("Sarif")]
    [InlineData("CycloneDx")]
    public void SameScanGivesTheSameBytesApartFromTimestampsAndDurationsWhateverTheThreads(string format)
    {
        string first = Stable(Render(format, ScanFixtures(throttle: 1), deterministic: true));
        string second = Stable(Render(format, ScanFixtures(throttle: 4), deterministic: true));
        Assert.Equal(first, second);
    }

    private static string Stable(string report) =>
        Regex.Replace(report, "\"(createdUtc|timestamp|endTimeUtc|durationMs)\": (\"[^\"]*\"|[0-9.E+-]+)", "\"$1\": _");

    [Fact]
    public void PolicySuppressionKeepsTheFindingMarkedAndTheFileNoLongerCounts()
    {
        var suppression = new SuppressionEntry("MA1001", "*/malicious/os_system_p?.pkl", null, "Known test payload", null) { Source = "policy test.psd1:3 #1" };
        var options = new ScanOptions { Policy = new ScanPolicy { Suppressions = new[] { suppression } } };
        ModelScanResult result = Scan.File(Scan.Fixture("malicious/os_system_p4.pkl"), options);

        ModelFinding finding = Assert.Single(result.Findings, f => f.RuleId == "MA1001");
        Assert.True(finding.IsSuppressed);
        Assert.Equal("Known test payload", finding.Suppression!.Justification);
        Assert.Equal(ScanOutcome.Clean, result.Outcome);
        Assert.Equal(0, result.CriticalCount);
        Assert.Equal(ExitCode.Clean, ExitCode.For(new[] { result }, false));

        string sarif = Render("Sarif", new[] { result });
        ReportSchemas.AssertValid(ReportSchemas.Sarif, sarif);
        JsonElement sarifSuppression = JsonDocument.Parse(sarif).RootElement.GetProperty("runs")[0].GetProperty("results")
            .EnumerateArray().Single(r => r.GetProperty("ruleId").GetString() == "MA1001").GetProperty("suppressions")[0];
        Assert.Equal("external", sarifSuppression.GetProperty("kind").GetString());
        Assert.Equal("Known test payload", sarifSuppression.GetProperty("justification").GetString());
        string json = Render("Json", new[] { result });
        ReportSchemas.AssertValid(ReportSchemas.Json, json);
        Assert.Contains("\"justification\": \"Known test payload\"", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("MA1002", "*", null)]
    [InlineData("MA1001", "*/other/*.pkl", null)]
    [InlineData("MA1001", "*", "data.pkl")]
    public void SuppressionOutsideItsScopeSuppressesNothing(string rule, string path, string? member)
    {
        var options = new ScanOptions { Policy = new ScanPolicy { Suppressions = new[] { new SuppressionEntry(rule, path, member, "scoped", null) } } };
        ModelScanResult result = Scan.File(Scan.Fixture("malicious/os_system_p4.pkl"), options);
        Assert.DoesNotContain(result.Findings, f => f.IsSuppressed);
        Assert.Equal(ScanOutcome.Issues, result.Outcome);
    }

    [Fact]
    public void MemberPatternSuppressesOnlyFindingsInsideMatchingMembers()
    {
        var entry = new SuppressionEntry("MA1001", "*torch_zip_os_system.pt", "*/data.pkl", "vendor checkpoint", null);
        ModelScanResult result = Scan.File(Scan.Fixture("malicious/torch_zip_os_system.pt"), new ScanOptions { Policy = new ScanPolicy { Suppressions = new[] { entry } } });
        Assert.All(result.Findings.Where(f => f.RuleId == "MA1001"), f => Assert.True(f.IsSuppressed));
        Assert.Contains(result.Findings, f => f.RuleId == "MA1001");
    }

    [Fact]
    public void BaselineSuppressesKnownFindingsAndLeavesNewOnes()
    {
        ModelScanResult old = Scan.File(Scan.Fixture("malicious/os_system_p4.pkl"));
        byte[] report = ReportWriters.ToBytes("Json", new ScanReport(new[] { old }));
        ReportBaseline baseline = ReportBaseline.Read(new MemoryStream(report), "previous.json");
        Assert.Equal(old.Findings.Count, baseline.Count);

        var options = new ScanOptions { Policy = new ScanPolicy { Baseline = baseline } };
        ModelScanResult again = Scan.File(Scan.Fixture("malicious/os_system_p4.pkl"), options);
        Assert.All(again.Findings, f => Assert.StartsWith("baseline previous.json", f.Suppression!.Source, StringComparison.Ordinal));
        Assert.Equal(ExitCode.Clean, ExitCode.For(new[] { again }, false));

        ModelScanResult other = Scan.File(Scan.Fixture("malicious/os_system_p2.pkl"), options);
        Assert.Contains(other.Findings, f => f.RuleId == "MA1001" && !f.IsSuppressed);
        Assert.Equal(ExitCode.Findings, ExitCode.For(new[] { again, other }, false));
    }

    [Fact]
    public void BaselineMatchesTheSameContentUnderAnotherPath()
    {
        byte[] pickle = File.ReadAllBytes(Scan.Fixture("malicious/os_system_p4.pkl"));
        ModelScanResult old = Scan.Bytes(pickle, "/old/place/model.pkl");
        ReportBaseline baseline = ReportBaseline.Read(new MemoryStream(ReportWriters.ToBytes("Json", new ScanReport(new[] { old }))), "b.json");
        ModelScanResult moved = Scan.File(Scan.Fixture("malicious/os_system_p4.pkl"), new ScanOptions { Policy = new ScanPolicy { Baseline = baseline } });
        Assert.All(moved.Findings, f => Assert.True(f.IsSuppressed));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"schemaVersion\": \"2.0\", \"results\": []}")]
    [InlineData("[1, 2]")]
    [InlineData("{\"schemaVersion\": \"1.0\", \"results\": [{\"path\": \"x\"}]}")]
    [InlineData("not json")]
    public void BaselineRejectsWhatIsNotOurReport(string text)
    {
        Assert.Throws<FormatException>(() => ReportBaseline.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), "bad.json"));
    }

    [Fact]
    public void SeverityOverrideShowsInEveryReport()
    {
        var options = new ScanOptions { Policy = new ScanPolicy { SeverityOverrides = new Dictionary<string, Severity> { ["MA1001"] = Severity.Info } } };
        ModelScanResult result = Scan.File(Scan.Fixture("malicious/os_system_p4.pkl"), options);
        string sarif = Render("Sarif", new[] { result });
        JsonElement finding = JsonDocument.Parse(sarif).RootElement.GetProperty("runs")[0].GetProperty("results")
            .EnumerateArray().Single(r => r.GetProperty("ruleId").GetString() == "MA1001");
        Assert.Equal("note", finding.GetProperty("level").GetString());
        Assert.Contains("\"severity\": \"Info\"", Render("Json", new[] { result }), StringComparison.Ordinal);
    }

    [Fact]
    public void PathsOutsideTheBaseAreAbsoluteFileUris()
    {
        ModelScanResult result = Scan.Bytes(new byte[] { 1, 2, 3 }, Path.Combine(Path.GetTempPath(), "a b#1.bin"));
        string sarif = Encoding.UTF8.GetString(ReportWriters.ToBytes("Sarif", new ScanReport(new[] { result }) { BasePath = Scan.RepoRoot }));
        ReportSchemas.AssertValid(ReportSchemas.Sarif, sarif);
        string uri = JsonDocument.Parse(sarif).RootElement.GetProperty("runs")[0].GetProperty("artifacts")[0].GetProperty("location").GetProperty("uri").GetString()!;
        Assert.StartsWith("file:///", uri, StringComparison.Ordinal);
        Assert.Contains("a%20b%231.bin", uri, StringComparison.Ordinal);
    }
}
