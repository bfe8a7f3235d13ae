using System.Text.Json;
using ModelAudit.Engine.Formats.Pickle;
using ModelAudit.Engine.Scanning;

namespace ModelAudit.Engine.Tests.Differential;

/// <summary>
/// Scans one corpus case in memory with the engine's observer and compares with CPython's record of it:
/// (a) every global either unpickler resolved through find_class is among our imports for that member;
/// (b) a call or construction CPython reached on a name our classifier does not allow for that use makes the file not Clean;
/// (c) every zip member zipfile could read was dispatched (or the file is not Clean), and (a)/(b) hold for its pickle.
/// Resolutions of names that are not dotted identifiers (and everything after the first one: a real import would have
/// failed there) are informational only. Also counted as notes, not failures: a missed import of an allowlisted name
/// (importing it does nothing; the engine only declines to call the bytes a pickle), missed imports inside zip members
/// (only (b) and dispatch are checked there), and the engine's two documented gradings of a reached use: an unknown
/// class that is only constructed is reported as Info (MA1012, naming it), and torch.storage._load_from_bytes is graded
/// by scanning its payload (MA1021 or a torch.load@ member). Thread-safe.
/// </summary>
internal sealed class DifferentialChecker
{
    private readonly ScanEngine _engine = new(new ScanOptions());

    /// <summary>Events after a name CPython could not really import (informational).</summary>
    public long Informational => Interlocked.Read(ref _informational);

    /// <summary>Counts of the notes described above, by kind.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, long> Notes { get; } = new(StringComparer.Ordinal);

    private long _informational;

    private void Note(string kind) => Notes.AddOrUpdate(kind, 1, (_, n) => n + 1);

    public List<DifferentialDisagreement> Check(DifferentialCase c)
    {
        var problems = new List<DifferentialDisagreement>();
        var observer = new ScanObserver();
        ModelScanResult result;
        byte[] data = c.Data;
        try
        {
            result = _engine.Scan(new ScanItem(c.Name, data.Length, () => new MemoryStream(data, writable: false)), CancellationToken.None, observer);
        }
        catch (Exception ex)
        {
            problems.Add(new DifferentialDisagreement(c.Id, c.Gen, "crash", $"engine threw {ex.GetType().Name}: {ex.Message}"));
            return problems;
        }

        bool clean = result.Outcome == ScanOutcome.Clean;
        var imports = new HashSet<(string, string, string)>();
        foreach (ObservedImport import in observer.Imports)
        {
            imports.Add((import.Member ?? "", import.RawModule, import.RawName));
        }

        string engine = $" [engine: {result.Outcome} {result.Format}: {string.Join(", ", result.Findings.Select(f => f.RuleId + (f.Member is null ? "" : "@" + f.Member)).Distinct().Take(6))}; {observer.Imports.Count} imports]";
        void Add(string check, string detail) => problems.Add(new DifferentialDisagreement(c.Id, c.Gen, check, detail + engine));

        var unknownInfo = new HashSet<string>(result.Findings.Where(f => f.RuleId == "MA1012" && f.Evidence is not null).Select(f => f.Evidence!), StringComparer.Ordinal);
        bool payloadScanned = result.Findings.Any(f => f.RuleId == "MA1021") || observer.Members.Any(m => m.Contains("torch.load@", StringComparison.Ordinal));
        var reached = new List<string>();
        var context = new PickleCheck(imports, reached, unknownInfo, payloadScanned, result.Format == "TorchScript", Add);
        CheckPickle(null, "py", c.Py, context);
        CheckPickle(null, "c", c.C, context);

        if (c.Zip is { } zip && zip.GetProperty("error").ValueKind == JsonValueKind.Null)
        {
            var members = new HashSet<string>(observer.Members, StringComparer.Ordinal);
            JsonElement[] entries = zip.GetProperty("members").EnumerateArray().ToArray();
            bool torch = entries.Any(m => m.GetProperty("name").GetString() is { } n && (n == "data.pkl" || n.EndsWith("/data.pkl", StringComparison.Ordinal)));
            foreach (JsonElement m in entries)
            {
                string name = m.GetProperty("name").GetString()!;
                if (m.GetProperty("dir").GetBoolean())
                {
                    continue;
                }

                bool isPickle = m.GetProperty("pickle").ValueKind == JsonValueKind.Object;
                if (m.GetProperty("readable").GetBoolean() && !members.Contains(name) && clean)
                {
                    // torch.load reads data/<n> as raw storage bytes: the engine skips those unless they hold code.
                    if (torch && s_storageBlob.IsMatch(name) && !isPickle)
                    {
                        Note("c: raw torch storage blob not dispatched");
                    }
                    else
                    {
                        Add("c", $"zipfile reads member '{name}' ({m.GetProperty("size").GetInt64()} bytes) but it was never dispatched, and the file is Clean");
                    }
                }

                if (isPickle)
                {
                    JsonElement pickle = m.GetProperty("pickle");
                    CheckPickle(name, "py", pickle.GetProperty("py"), context);
                    CheckPickle(name, "c", pickle.GetProperty("c"), context);
                }
            }
        }

        if (reached.Count > 0 && clean)
        {
            Add("b", $"CPython reached {string.Join("; ", reached.Distinct().Take(4))} but the outcome is Clean");
        }

        return problems;
    }

    private void CheckPickle(string? member, string impl, JsonElement oracle, PickleCheck check)
    {
        var (imports, reached, unknownInfo, payloadScanned, _, add) = check;
        bool importable = true;
        string where = member is null ? impl : $"{impl} in '{member}'";
        var missed = new HashSet<(string, string)>();
        foreach (JsonElement ev in oracle.GetProperty("ev").EnumerateArray())
        {
            string kind = ev[0].GetString()!;
            int stream = ev[1].GetInt32();
            string module = ev[2].GetString()!, name = ev[3].GetString()!, mappedModule = ev[4].GetString()!, mappedName = ev[5].GetString()!;
            if (!importable)
            {
                Interlocked.Increment(ref _informational);
                continue;
            }

            switch (kind)
            {
                case "R" or "G":
                    if (!IsDotted(module) || !IsDotted(name) || !IsDotted(mappedModule) || !IsDotted(mappedName))
                    {
                        importable = false;
                        Interlocked.Increment(ref _informational);
                    }
                    else if (kind == "R" && !imports.Contains((member ?? "", module, name)) && missed.Add((module, name)))
                    {
                        if (member is not null)
                        {
                            Note("a: import missed inside a zip member (not checked)");
                        }
                        else if (PickleClassifier.Classify(mappedModule, mappedName, null).ClassFor(GlobalUse.None) == CallableClass.Allowed)
                        {
                            Note("a: missed import of an allowlisted name");
                        }
                        else
                        {
                            add("a", $"{where} stream {stream}: find_class('{module}', '{name}') is not among our imports");
                        }
                    }

                    break;
                case "C" or "N" or "M":
                    GlobalUse use = kind switch { "C" => GlobalUse.Called, "N" => GlobalUse.Constructed, _ => GlobalUse.Mutated };
                    CallableClass grade = PickleClassifier.Classify(mappedModule, mappedName, null).ClassFor(use);
                    if (grade == CallableClass.Allowed)
                    {
                        break;
                    }

                    if (member is not null && (mappedModule.StartsWith("__torch__", StringComparison.Ordinal) || mappedModule == "torch.jit._pickle") && check.TorchScript)
                    {
                        Note("b: TorchScript __torch__ class (allowed in a TorchScript archive)");
                    }
                    else if (use == GlobalUse.Constructed && grade == CallableClass.Unknown && (unknownInfo.Contains(mappedModule + "." + mappedName) || unknownInfo.Contains(module + "." + name)))
                    {
                        Note("b: unknown class constructed, reported as Info MA1012");
                    }
                    else if (use == GlobalUse.Called && mappedModule == "torch.storage" && mappedName == "_load_from_bytes" && payloadScanned)
                    {
                        Note("b: torch.storage._load_from_bytes graded by its scanned payload");
                    }
                    else
                    {
                        reached.Add($"{where} stream {stream}: {use} {mappedModule}.{mappedName} ({grade})");
                    }

                    break;
            }
        }
    }

    private static readonly System.Text.RegularExpressions.Regex s_storageBlob = new(@"(^|/)data/\d+$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>True when every dot-separated part is a Python identifier (what a real import could resolve).</summary>
    public static bool IsDotted(string text)
    {
        if (text.Length == 0)
        {
            return false;
        }

        foreach (string part in text.Split('.'))
        {
            if (part.Length == 0 || !(char.IsLetter(part[0]) || part[0] == '_'))
            {
                return false;
            }

            foreach (char ch in part)
            {
                if (!(char.IsLetterOrDigit(ch) || ch == '_'))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
