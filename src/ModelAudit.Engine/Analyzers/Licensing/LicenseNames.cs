namespace ModelAudit.Engine.Analyzers.Licensing;

/// <summary>
/// Declared licence names (Hugging Face model-card ids, GGUF/SafeTensors metadata, SPDX ids as written) mapped to
/// SPDX identifiers. Names SPDX does not list (llama3, gemma, other) keep their name and get no id.
/// </summary>
internal static class LicenseNames
{
    private static readonly Dictionary<string, string> s_spdx = new(StringComparer.OrdinalIgnoreCase)
    {
        ["apache-2.0"] = "Apache-2.0", ["apache 2.0"] = "Apache-2.0", ["apache license 2.0"] = "Apache-2.0", ["apache2"] = "Apache-2.0",
        ["mit"] = "MIT", ["mit license"] = "MIT",
        ["bsd-2-clause"] = "BSD-2-Clause", ["bsd-3-clause"] = "BSD-3-Clause", ["bsd-3-clause-clear"] = "BSD-3-Clause-Clear", ["isc"] = "ISC",
        ["bsl-1.0"] = "BSL-1.0", ["unlicense"] = "Unlicense", ["wtfpl"] = "WTFPL", ["zlib"] = "Zlib", ["artistic-2.0"] = "Artistic-2.0",
        ["gpl-2.0"] = "GPL-2.0-only", ["gpl-3.0"] = "GPL-3.0-only", ["lgpl-2.1"] = "LGPL-2.1-only", ["lgpl-3.0"] = "LGPL-3.0-only",
        ["agpl-3.0"] = "AGPL-3.0-only", ["mpl-2.0"] = "MPL-2.0", ["epl-2.0"] = "EPL-2.0", ["epl-1.0"] = "EPL-1.0",
        ["eupl-1.1"] = "EUPL-1.1", ["eupl-1.2"] = "EUPL-1.2", ["afl-3.0"] = "AFL-3.0", ["ecl-2.0"] = "ECL-2.0", ["osl-3.0"] = "OSL-3.0",
        ["ms-pl"] = "MS-PL", ["postgresql"] = "PostgreSQL", ["ofl-1.1"] = "OFL-1.1", ["ncsa"] = "NCSA", ["cc0-1.0"] = "CC0-1.0",
        ["cc-by-2.0"] = "CC-BY-2.0", ["cc-by-2.5"] = "CC-BY-2.5", ["cc-by-3.0"] = "CC-BY-3.0", ["cc-by-4.0"] = "CC-BY-4.0",
        ["cc-by-sa-3.0"] = "CC-BY-SA-3.0", ["cc-by-sa-4.0"] = "CC-BY-SA-4.0", ["cc-by-nc-2.0"] = "CC-BY-NC-2.0",
        ["cc-by-nc-3.0"] = "CC-BY-NC-3.0", ["cc-by-nc-4.0"] = "CC-BY-NC-4.0", ["cc-by-nd-4.0"] = "CC-BY-ND-4.0",
        ["cc-by-nc-nd-3.0"] = "CC-BY-NC-ND-3.0", ["cc-by-nc-nd-4.0"] = "CC-BY-NC-ND-4.0", ["cc-by-nc-sa-2.0"] = "CC-BY-NC-SA-2.0",
        ["cc-by-nc-sa-3.0"] = "CC-BY-NC-SA-3.0", ["cc-by-nc-sa-4.0"] = "CC-BY-NC-SA-4.0", ["odbl"] = "ODbL-1.0", ["odc-by"] = "ODC-By-1.0",
        ["pddl"] = "PDDL-1.0",
    };

    /// <summary>The SPDX id of a declared name, or null when SPDX has none (or the name is "other"/"unknown").</summary>
    public static string? ToSpdx(string declared) => s_spdx.TryGetValue(declared.Trim(), out string? id) ? id : null;

    public static ModelLicense From(string declared, string source) => new(ToSpdx(declared), declared.Trim(), source);
}
