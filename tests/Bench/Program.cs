using ModelAudit.Bench;

// build.ps1 -Task Bench: generates the inputs, scans each in every mode it is measured in, measures the I/O floor of the
// same file in the same run, and prints one markdown table (medians of --runs). With --compare <folder>, a second build
// of the engine runs alternately with this one on every input and the table shows the ratios instead.
// Arguments: <bench folder> [--runs N] [--only <text>] [--compare <build folder>] [--keep]
var arguments = BenchArguments.Parse(args);
Directory.CreateDirectory(arguments.Folder);
string dir = arguments.Folder;
string fixtures = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "fixtures"));
int cores = Environment.ProcessorCount;

// Below this a hashed pass gets a warm-up run of its own; above it the header-only pass before it warmed the code.
const long WarmUpLimit = 256L << 20;
const long HashedBudget = 8L << 30;

var single = new[] { BenchMode.HeaderOnly, BenchMode.Hashed };
var inputs = new BenchInput[]
{
    new("10 GiB SafeTensors (sparse)", () => BenchFiles.SparseSafeTensors(dir), single),
    new("10 GiB GGUF (sparse)", () => BenchFiles.SparseGguf(dir), single),
    new("1 GiB GGUF (sparse)", () => BenchFiles.SmallSparseGguf(dir), single),
    new("2 GiB PyTorch zip", () => BenchFiles.HugeTorchZip(dir), single),
    new("1 GiB single-BINBYTES8 pickle", () => BenchFiles.HugeBytesPickle(dir), single),
    new("25 MB opcode-dense pickle", () => BenchFiles.OpcodeDensePickle(dir), single),
    new("2.2 GiB ONNX, inline (sparse)", () => GraphBenchFiles.HugeOnnx(dir), single),
    new("ONNX + 3 GiB external data: model", () => GraphBenchFiles.ExternalDataOnnx(dir), single),
    new("ONNX + 3 GiB external data: data file", () => Path.Combine(Path.GetDirectoryName(GraphBenchFiles.ExternalDataOnnx(dir))!, "model.onnx.data"), single),
    new("2 GiB F16 checkpoint (weights)", () => WeightBenchFiles.Checkpoint(dir), new[] { BenchMode.HeaderOnly, BenchMode.HashedNoWeights, BenchMode.Hashed }),
    new("2 GiB F16 PyTorch zip (weights)", () => WeightBenchFiles.TorchCheckpoint(dir), new[] { BenchMode.HashedNoWeights, BenchMode.Hashed }),
    new("1 GiB TensorRT plan (random body)", () => TensorRtBenchFiles.RandomPlan(dir), single),
    new("10,000-entry zip", () => BenchFiles.ManyEntriesZip(dir), single),
    new("zip bomb (100 GB claimed)", () => BenchFiles.ZipBomb(dir), single),
    new("20,000-file model store", () => FleetFolderFiles.Folder(dir, fixtures), new[] { BenchMode.Folder(1), BenchMode.Folder(cores) }),
};

var current = new EngineUnderTest("this", AppContext.BaseDirectory);
EngineUnderTest? other = arguments.Compare is { } compare ? new EngineUnderTest("other", compare) : null;
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, load average {LoadAverage()}");
Console.WriteLine($"engine: {current.Folder}" + (other is null ? "" : $"; compared with: {other.Folder}"));
Console.WriteLine($"inputs: {dir}; medians of {arguments.Runs} runs");
Console.WriteLine();
var table = new BenchTable(other is not null);
table.WriteHeader();
var total = System.Diagnostics.Stopwatch.StartNew();
foreach (BenchInput input in inputs.Where(i => arguments.Only is null || i.Name.Contains(arguments.Only, StringComparison.OrdinalIgnoreCase)))
{
    string path = input.Make();
    IReadOnlyList<string> files = Directory.Exists(path) ? Directory.GetFiles(path, "*", SearchOption.AllDirectories) : new[] { path };
    long size = files.Sum(f => new FileInfo(f).Length);
    foreach (BenchMode mode in input.Modes)
    {
        Func<EngineUnderTest, ScanFigures> scan = mode.IsFolder
            ? e => e.ScanFolder(path, mode.SkipHash, mode.Throttle)
            : e => e.ScanFile(path, mode.SkipHash, mode.AnalyzeWeights);

        // The page cache first: the first read of a file (a sparse one too: its holes become zero pages) costs the
        // kernel more than later ones, and that cost must not fall on whichever of scan and floor comes first.
        if (!mode.SkipHash)
        {
            foreach (string file in files)
            {
                IoFloor.Read(file, long.MaxValue);
            }
        }

        // Warm-up (JIT) for each build; a hashed pass of a large file is warm after the header-only one.
        if (mode.SkipHash || size < WarmUpLimit)
        {
            scan(current);
            if (other is not null)
            {
                scan(other);
            }
        }

        // Scans and floors alternate, so load from the other engineers on the machine falls on all of them alike.
        var mine = new List<Sample>();
        var theirs = new List<Sample>();
        var floors = new List<double>();
        for (int run = 0; run < RunsFor(mode, size); run++)
        {
            Sample sample = Sample.Of(() => scan(current));
            mine.Add(sample);
            if (other is not null)
            {
                theirs.Add(Sample.Of(() => scan(other)));
            }

            floors.Add(mode.SkipHash ? Sample.Time(() => IoFloor.Read(path, sample.BytesRead)) : Sample.Time(() => IoFloor.Hash(files)));
        }

        Sample median = Sample.Median(mine);
        double floor = Sample.Median(floors);
        table.WriteRow(input.Name, size, files.Count, mode, median, floor, other is null ? null : Sample.Median(theirs));
    }
}

Console.WriteLine();
Console.WriteLine($"total {total.Elapsed.TotalSeconds:0} s. floor: header-only = a plain read of the bytes the scan read; hashed = SHA-256 of every byte, one thread.");
if (!arguments.Keep)
{
    Directory.Delete(dir, recursive: true);
    Console.WriteLine($"removed {dir} (--keep keeps the inputs for the next run)");
}

// Hashed runs of the largest inputs are held to a byte budget, so the harness ends in minutes on 2 shared cores: a
// 10 GiB file gets one scan and one floor (each reads 10 GiB), a 2 GiB file the full count.
int RunsFor(BenchMode mode, long size) => mode.SkipHash || mode.IsFolder ? arguments.Runs : (int)Math.Clamp(HashedBudget / Math.Max(size, 1), 1, arguments.Runs);

static string LoadAverage()
{
    try
    {
        return string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
    }
    catch (IOException)
    {
        return "n/a";
    }
}
