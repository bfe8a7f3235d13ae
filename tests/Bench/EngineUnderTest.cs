using System.Collections;
using System.Linq.Expressions;
using System.Reflection;

namespace ModelAudit.Bench;

/// <summary>
/// One build of the engine, driven through reflection over its public API (ScanOptions, ScanEngine,
/// LocalFileSource, ParallelScan), so the harness can measure a build it was not compiled against: an older commit
/// or another engineer's module folder.
/// </summary>
internal sealed class EngineUnderTest
{
    private readonly Type _options;
    private readonly Type _engine;
    private readonly Type _item;
    private readonly Type _parallel;
    private readonly MethodInfo _itemFor;
    private readonly MethodInfo _enumerate;
    private readonly Delegate _ignoreEvents;

    public EngineUnderTest(string label, string folder)
    {
        Label = label;
        string engineFolder = EngineLoadContext.EngineFolder(folder)
            ?? throw new DirectoryNotFoundException($"No ModelAudit.Engine.dll in '{folder}' or its Dependencies folder.");
        Folder = engineFolder;
        var context = new EngineLoadContext(Path.GetFullPath(folder));
        Assembly engine = context.LoadFromAssemblyPath(Path.Combine(engineFolder, "ModelAudit.Engine.dll"));
        _options = engine.GetType("ModelAudit.Engine.Scanning.ScanOptions", true)!;
        _engine = engine.GetType("ModelAudit.Engine.Scanning.ScanEngine", true)!;
        _item = engine.GetType("ModelAudit.Engine.Scanning.ScanItem", true)!;
        _parallel = engine.GetType("ModelAudit.Engine.Scanning.ParallelScan", true)!;
        Type source = engine.GetType("ModelAudit.Engine.Sources.LocalFileSource", true)!;
        _itemFor = source.GetMethod("ItemFor", BindingFlags.Public | BindingFlags.Static)!;
        _enumerate = source.GetMethods(BindingFlags.Public | BindingFlags.Static).Single(m => m.Name == "Enumerate");
        Type report = _enumerate.GetParameters()[2].ParameterType;
        Type sourceEvent = report.GetGenericArguments()[0];
        _ignoreEvents = Expression.Lambda(report, Expression.Empty(), Expression.Parameter(sourceEvent)).Compile();
    }

    /// <summary>"this" or "other" in the table.</summary>
    public string Label { get; }

    public string Folder { get; }

    /// <summary>Scans one file with the engine's defaults apart from the two switches the harness varies.</summary>
    public ScanFigures ScanFile(string path, bool skipHash, bool? analyzeWeights)
    {
        object engine = NewEngine(skipHash, analyzeWeights, recurse: false);
        object item = _itemFor.Invoke(null, _itemFor.GetParameters().Length == 1 ? new object?[] { path } : new object?[] { path, null })!;
        object result = _engine.GetMethod("Scan", new[] { _item, typeof(CancellationToken) })!.Invoke(engine, new object[] { item, CancellationToken.None })!;
        return Figures(new[] { result });
    }

    /// <summary>Walks and scans a folder as Invoke-ModelScan -Recurse does: items listed first, then scanned on
    /// <paramref name="throttle"/> workers, results taken in order.</summary>
    public ScanFigures ScanFolder(string path, bool skipHash, int throttle)
    {
        object options = NewOptions(skipHash, null, recurse: true);
        object engine = Activator.CreateInstance(_engine, options)!;
        var parameters = _enumerate.GetParameters();
        object?[] arguments = parameters.Length == 3 ? new object?[] { path, options, _ignoreEvents } : new object?[] { path, options, _ignoreEvents, null };
        var items = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(_item))!;
        foreach (object item in (IEnumerable)_enumerate.Invoke(null, arguments)!)
        {
            items.Add(item);
        }

        // Results are summed as they are taken, not kept: the peak working set is the scan's, as on a pipeline.
        return Figures(Take(engine, items, throttle));
    }

    private IEnumerable<object> Take(object engine, IList items, int throttle)
    {
        using var scan = (IDisposable)Activator.CreateInstance(_parallel, engine, items, throttle, CancellationToken.None)!;
        MethodInfo take = _parallel.GetMethod("Take")!;
        for (int i = 0; i < items.Count; i++)
        {
            yield return take.Invoke(scan, new object[] { i, CancellationToken.None })!;
        }
    }

    private object NewEngine(bool skipHash, bool? analyzeWeights, bool recurse) => Activator.CreateInstance(_engine, NewOptions(skipHash, analyzeWeights, recurse))!;

    private object NewOptions(bool skipHash, bool? analyzeWeights, bool recurse)
    {
        object options = Activator.CreateInstance(_options)!;
        _options.GetProperty("SkipHash")!.SetValue(options, skipHash);
        _options.GetProperty("Recurse")!.SetValue(options, recurse);

        // Older builds have no weight analysis: there is nothing to switch off.
        if (_options.GetProperty("AnalyzeWeights") is { } weights)
        {
            weights.SetValue(options, analyzeWeights);
        }
        else if (analyzeWeights == true)
        {
            throw new NotSupportedException($"The {Label} build has no weight analysis.");
        }

        return options;
    }

    // Outcomes counted over the files, and the rule ids seen (a folder's are many; a count of each outcome says enough).
    private static ScanFigures Figures(IEnumerable<object> results)
    {
        int count = 0;
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var rules = new SortedSet<string>(StringComparer.Ordinal);
        string format = "";
        foreach (object result in results)
        {
            count++;
            Type type = result.GetType();
            string outcome = type.GetProperty("Outcome")!.GetValue(result)!.ToString()!;
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            format = (string)type.GetProperty("Format")!.GetValue(result)!;
            foreach (object finding in (IEnumerable)type.GetProperty("Findings")!.GetValue(result)!)
            {
                rules.Add((string)finding.GetType().GetProperty("RuleId")!.GetValue(finding)!);
            }
        }

        string summary = count == 1 ? outcomes.Keys.Single() : string.Join(" ", outcomes.Select(o => $"{o.Key}:{o.Value}"));
        return new ScanFigures(summary, count == 1 ? format : "folder", string.Join(",", rules.Take(8)) + (rules.Count > 8 ? ",…" : ""), count);
    }
}
