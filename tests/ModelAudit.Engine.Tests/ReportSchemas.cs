using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Json.Schema;

namespace ModelAudit.Engine.Tests;

/// <summary>
/// The schemas reports are validated against: ours (docs/schema), SARIF 2.1.0 as shipped in the Sarif.Sdk package
/// (copied to the test output by the project file), and the official CycloneDX 1.6 schema from the npm package
/// @cyclonedx/cyclonedx-library, fetched with npm on first use into out/schemas (never committed).
/// </summary>
internal static class ReportSchemas
{
    private const string CycloneDxPackage = "@cyclonedx/cyclonedx-library@10.3.0";
    private static readonly Lazy<JsonSchema> s_json = new(() => Load(Path.Combine(AppContext.BaseDirectory, "schemas", "modelaudit-report-1.1.schema.json")));
    private static readonly Lazy<JsonSchema> s_sarif = new(() => Load(Path.Combine(AppContext.BaseDirectory, "schemas", "sarif-2.1.0.json")));
    private static readonly Lazy<JsonSchema> s_cycloneDx = new(LoadCycloneDx);

    public static JsonSchema Json => s_json.Value;

    public static JsonSchema Sarif => s_sarif.Value;

    public static JsonSchema CycloneDx => s_cycloneDx.Value;

    /// <summary>Evaluates <paramref name="document"/>; the message lists every failing location for the assertion.</summary>
    public static (bool Valid, string Errors) Evaluate(JsonSchema schema, string document)
    {
        EvaluationResults results = schema.Evaluate(JsonNode.Parse(document), new EvaluationOptions { OutputFormat = OutputFormat.List });
        string errors = string.Join("\n", results.Details.Where(d => d.HasErrors)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Key} {e.Value}")));
        return (results.IsValid, errors);
    }

    public static void AssertValid(JsonSchema schema, string document)
    {
        var (valid, errors) = Evaluate(schema, document);
        Assert.True(valid, errors);
    }

    private static JsonSchema Load(string path)
    {
        JsonSchema schema = JsonSchema.FromFile(path);
        SchemaRegistry.Global.Register(schema);
        return schema;
    }

    private static JsonSchema LoadCycloneDx()
    {
        string folder = Path.Combine(Scan.RepoRoot, "out", "schemas", "cyclonedx-library-10.3.0");
        string bom = Path.Combine(folder, "bom-1.6.SNAPSHOT.schema.json");
        if (!File.Exists(bom))
        {
            Fetch(folder);
        }

        // bom-1.6 refers to its companions by their SNAPSHOT names (relative to its $id) and by their canonical ids.
        foreach (string companion in new[] { "spdx", "jsf-0.82" })
        {
            string file = Path.Combine(folder, companion + ".SNAPSHOT.schema.json");
            JsonSchema schema = JsonSchema.FromFile(file);
            SchemaRegistry.Global.Register(schema);
            SchemaRegistry.Global.Register(new Uri($"http://cyclonedx.org/schema/{companion}.SNAPSHOT.schema.json"), schema);
        }

        return Load(bom);
    }

    private static void Fetch(string folder)
    {
        string download = Path.Combine(Path.GetTempPath(), "modelaudit-cdx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(download);
        try
        {
            var start = new ProcessStartInfo("npm", $"pack {CycloneDxPackage} --silent --pack-destination \"{download}\"")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using Process npm = Process.Start(start) ?? throw new InvalidOperationException("npm could not be started");
            string stderr = npm.StandardError.ReadToEnd();
            npm.StandardOutput.ReadToEnd();
            if (!npm.WaitForExit(180_000) || npm.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm pack {CycloneDxPackage} failed: {stderr}");
            }

            string tgz = Directory.GetFiles(download, "*.tgz").Single();
            Directory.CreateDirectory(folder);
            using var gzip = new GZipStream(File.OpenRead(tgz), CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.Name.StartsWith("package/res/schema/", StringComparison.Ordinal) && entry.Name.EndsWith(".schema.json", StringComparison.Ordinal))
                {
                    entry.ExtractToFile(Path.Combine(folder, Path.GetFileName(entry.Name)), overwrite: true);
                }
            }
        }
        finally
        {
            Directory.Delete(download, recursive: true);
        }
    }
}
