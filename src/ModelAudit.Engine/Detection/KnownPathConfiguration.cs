using System.Text.RegularExpressions;

namespace ModelAudit.Engine.Detection;

/// <summary>
/// The .pth files every Python environment has, recognised by name, folder and the exact shape of every import line:
/// setuptools' distutils-precedence.pth, setuptools editable installs (__editable__.*.pth) and virtualenv's
/// _virtualenv.pth. Only inside a site-packages (or dist-packages) folder: a .pth next to a model is still a Warning,
/// and any other import line in the file, or a name that does not go with its line, makes it unknown.
/// </summary>
internal static partial class KnownPathConfiguration
{
    /// <summary>The import lines of <paramref name="text"/> when the file is a known site-packages .pth; otherwise null.</summary>
    public static IReadOnlyList<string>? Match(string path, string text)
    {
        string? folder = Path.GetFileName(Path.GetDirectoryName(path));
        if (folder is not ("site-packages" or "dist-packages"))
        {
            return null;
        }

        string name = Path.GetFileName(path);
        Regex? shape = name switch
        {
            "distutils-precedence.pth" => DistutilsPrecedence(),
            "_virtualenv.pth" => Virtualenv(),
            _ when name.StartsWith("__editable__.", StringComparison.Ordinal) => EditableFinder(),
            _ => null,
        };
        if (shape is null)
        {
            return null;
        }

        // Only import lines run; path lines are plain sys.path entries. Every import line must have the known shape.
        string[] imports = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => IsImportLine(l.TrimStart())).ToArray();
        return imports.Length > 0 && imports.All(shape.IsMatch) ? imports : null;
    }

    /// <summary>True for a line site.py executes (it starts with "import " or "import\t").</summary>
    public static bool IsImportLine(string line) =>
        line.StartsWith("import ", StringComparison.Ordinal) || line.StartsWith("import\t", StringComparison.Ordinal);

    // setuptools/_distutils_hack: written as one line, the default 'local' or 'stdlib'.
    [GeneratedRegex(@"^import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os\.environ\.get\(var, '(local|stdlib)'\) == 'local'; enabled and __import__\('_distutils_hack'\)\.add_shim\(\); ?$")]
    private static partial Regex DistutilsPrecedence();

    // setuptools editable_wheel: "import {finder}; {finder}.install()", the same module name twice.
    [GeneratedRegex(@"^import (__editable___[A-Za-z0-9_]+_finder); \1\.install\(\)$")]
    private static partial Regex EditableFinder();

    [GeneratedRegex(@"^import _virtualenv\s*$")]
    private static partial Regex Virtualenv();
}
