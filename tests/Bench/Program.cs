using System.Diagnostics;
using System.Security.Cryptography;
using ModelAudit;
using ModelAudit.Bench;
using ModelAudit.Engine.Scanning;
using ModelAudit.Engine.Sources;

// Figures for the closing notes: time, MB/s and peak working set above the baseline, per input and mode.
string dir = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "modelaudit-bench");
Directory.CreateDirectory(dir);
Console.WriteLine($"bench folder: {dir}");
// An optional second argument keeps only the inputs whose name contains it (e.g. "header-only").
string? only = args.Length > 1 ? args[1] : null;
var inputs = new (string Name, Func<string> Make)[]
{
    ("25 MB opcode-dense pickle (5 M ints)", () => BenchFiles.OpcodeDensePickle(dir)),
    ("1 GiB single-BINBYTES8 pickle", () => BenchFiles.HugeBytesPickle(dir)),
    ("1 GiB PyTorch zip checkpoint", () => BenchFiles.HugeTorchZip(dir)),
    ("10,000-entry zip", () => BenchFiles.ManyEntriesZip(dir)),
    ("zip bomb (pickle claiming 100 GB, deflated)", () => BenchFiles.ZipBomb(dir)),
    ("10 GiB GGUF, header-only (sparse)", () => BenchFiles.SparseGguf(dir)),
    ("10 GiB SafeTensors, header-only (sparse)", () => BenchFiles.SparseSafeTensors(dir)),
    ("2.2 GiB ONNX (inline initializer, sparse)", () => GraphBenchFiles.HugeOnnx(dir)),
    ("ONNX with 3 GiB external data (model)", () => GraphBenchFiles.ExternalDataOnnx(dir)),
    ("3 GiB ONNX external data file (sparse)", () => Path.Combine(Path.GetDirectoryName(GraphBenchFiles.ExternalDataOnnx(dir))!, "model.onnx.data")),
    ("2 GiB SafeTensors F16 checkpoint (weight analysis)", () => WeightBenchFiles.Checkpoint(dir)),
};

Console.WriteLine($"{"input",-40} {"mode",-10} {"seconds",8} {"MB/s",9} {"peak MB",8} {"MB read",9}  outcome");
foreach (var (name, make) in inputs.Where(i => only is null || i.Name.Contains(only, StringComparison.Ordinal)))
{
    string path = make();
    double mb = new FileInfo(path).Length / 1048576.0;
    Measure(name, "SkipHash", path, mb, new ScanOptions { SkipHash = true });
    Measure(name, "hashed", path, mb, new ScanOptions());
    var sha = Stopwatch.StartNew();
    using (var f = File.OpenRead(path))
    {
        SHA256.HashData(f);
    }

    Console.WriteLine($"{name,-40} {"SHA-256",-10} {sha.Elapsed.TotalSeconds,8:0.000} {mb / sha.Elapsed.TotalSeconds,9:0} {"",8}  (hash alone)");
}

// Many small real-library files: files per second with the default parallelism.
string fixtures = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "fixtures", "benign");
var files = Directory.GetFiles(Path.GetFullPath(fixtures)).SelectMany(f => Enumerable.Repeat(f, 20)).Select(f => LocalFileSource.ItemFor(f)).ToArray();
var engine = new ScanEngine(new ScanOptions());
var watch = Stopwatch.StartNew();
using (var scan = new ParallelScan(engine, files, Environment.ProcessorCount, CancellationToken.None))
{
    for (int i = 0; i < files.Length; i++)
    {
        scan.Take(i, CancellationToken.None);
    }
}

Console.WriteLine($"{files.Length} small library files (fixtures x20), {Environment.ProcessorCount} threads: {files.Length / watch.Elapsed.TotalSeconds:0} files/s");

static void Measure(string name, string mode, string path, double mb, ScanOptions options)
{
    var engine = new ScanEngine(options);
    engine.Scan(LocalFileSource.ItemFor(path), CancellationToken.None); // warm-up (JIT, page cache)
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    using var process = Process.GetCurrentProcess();
    process.Refresh();
    long baseline = process.WorkingSet64;
    long peak = baseline;
    using var stop = new CancellationTokenSource();
    var sampler = Task.Run(async () =>
    {
        while (!stop.IsCancellationRequested)
        {
            process.Refresh();
            peak = Math.Max(peak, process.WorkingSet64);
            await Task.Delay(2);
        }
    });
    long readBefore = BytesReadByProcess();
    var watch = Stopwatch.StartNew();
    ModelScanResult result = engine.Scan(LocalFileSource.ItemFor(path), CancellationToken.None);
    watch.Stop();
    long readBytes = BytesReadByProcess() - readBefore;
    stop.Cancel();
    sampler.Wait();
    string rules = string.Join(",", result.Findings.Select(f => f.RuleId).Distinct());
    Console.WriteLine($"{name,-40} {mode,-10} {watch.Elapsed.TotalSeconds,8:0.000} {mb / watch.Elapsed.TotalSeconds,9:0} {(peak - baseline) / 1048576.0,8:0.0} {(readBytes < 0 ? "n/a" : (readBytes / 1048576.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)),9}  {result.Outcome} {result.Format} {rules}");
}

// Bytes the process read through read(2) (Linux /proc/self/io "rchar"); -1 elsewhere. Counts what the scan asked the
// file for, holes of sparse files included, so header-only scans show how little they read.
static long BytesReadByProcess()
{
    try
    {
        foreach (string line in File.ReadLines("/proc/self/io"))
        {
            if (line.StartsWith("rchar:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }
    }
    catch (IOException)
    {
    }
    catch (UnauthorizedAccessException)
    {
    }

    return -1;
}
