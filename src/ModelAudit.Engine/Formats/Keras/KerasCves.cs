namespace ModelAudit.Engine.Formats.Keras;

/// <summary>
/// Which Keras CVEs a finding is attributed to, from the version the file records. The flaw is in the loader, so a
/// recorded version is evidence, not proof: an unknown version gets the CVE (fail closed), a recorded version
/// outside the affected range does not (the finding itself stays).
/// </summary>
internal static class KerasCves
{
    private static readonly KerasVersion s_v2_13 = new(2, 13, 0);
    private static readonly KerasVersion s_v3 = new(3, 0, 0);
    private static readonly KerasVersion s_v3_9 = new(3, 9, 0);
    private static readonly KerasVersion s_v3_11 = new(3, 11, 0);
    private static readonly KerasVersion s_v3_11_3 = new(3, 11, 3);

    /// <summary>Lambda code: CVE-2024-3660 (Keras before 2.13), CVE-2025-9905 (H5 ignores safe_mode, 3.0–3.11.2).</summary>
    public static string[] Lambda(KerasVersion? version, KerasSource source)
    {
        var cves = new List<string>();
        if (version is null || version < s_v2_13)
        {
            cves.Add("CVE-2024-3660");
        }

        if (source == KerasSource.H5 && (version is null || (version >= s_v3 && version < s_v3_11_3)))
        {
            cves.Add("CVE-2025-9905");
        }

        return cves.ToArray();
    }

    /// <summary>Arbitrary module imports from config.json, even in safe mode: Keras before 3.9 (CVE-2025-1550).</summary>
    public static string[] ModuleImport(KerasVersion? version) => version is null || version < s_v3_9 ? new[] { "CVE-2025-1550" } : Array.Empty<string>();

    /// <summary>The get_file gadget that bypassed the 3.9 fix: before 3.11 (CVE-2025-8747).</summary>
    public static string[] GetFile(KerasVersion? version) => version is null || version < s_v3_11 ? new[] { "CVE-2025-8747" } : Array.Empty<string>();

    /// <summary>enable_unsafe_deserialization reachable from a config: before 3.11 (CVE-2025-9906).</summary>
    public static string[] UnsafeDeserialization(KerasVersion? version) =>
        version is null || version < s_v3_11 ? new[] { "CVE-2025-9906" } : Array.Empty<string>();

    /// <summary>True when TorchModuleWrapper's torch.load ran even in safe mode: 3.11.0–3.11.2 (CVE-2025-49655), or unknown.</summary>
    public static bool TorchWrapperUngated(KerasVersion? version) => version is null || (version >= s_v3_11 && version < s_v3_11_3);
}
