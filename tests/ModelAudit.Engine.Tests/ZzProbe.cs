namespace ModelAudit.Engine.Tests;

public sealed class ZzProbe
{
    [Fact]
    public void Probe()
    {
        var lines = new List<string>();
        foreach (string f in Directory.GetFiles(Environment.GetEnvironmentVariable("PROBE_DIR") ?? "/tmp/rprobe").Order())
        {
            if (f.EndsWith(".R") || f.EndsWith(".py") || f.EndsWith(".txt")) continue;
            var sw = System.Diagnostics.Stopwatch.StartNew();
            ModelScanResult r = Scan.File(f);
            lines.Add($"== {Path.GetFileName(f)} {sw.ElapsedMilliseconds}ms\n{r.Describe()}");
        }
        File.WriteAllLines((Environment.GetEnvironmentVariable("PROBE_DIR") ?? "/tmp/rprobe") + "/out.txt", lines);
    }
}
