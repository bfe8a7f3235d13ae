using System.Globalization;

namespace ModelAudit.Bench;

/// <summary>The harness's command line: the folder for the generated inputs, then options.</summary>
internal sealed record BenchArguments(string Folder, int Runs, string? Only, string? Compare, bool Keep)
{
    // Three runs give a median that one descheduled run on a shared machine cannot move.
    private const int DefaultRuns = 3;

    public static BenchArguments Parse(string[] args)
    {
        string folder = Path.Combine(Path.GetTempPath(), "modelaudit-bench");
        int runs = DefaultRuns;
        string? only = null;
        string? compare = null;
        bool keep = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--runs":
                    runs = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--only":
                    only = args[++i];
                    break;
                case "--compare":
                    compare = Path.GetFullPath(args[++i]);
                    break;
                case "--keep":
                    keep = true;
                    break;
                default:
                    folder = Path.GetFullPath(args[i]);
                    break;
            }
        }

        return new BenchArguments(folder, Math.Max(1, runs), only, compare, keep);
    }
}
