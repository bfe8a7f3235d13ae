using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace ModelAudit.Commands;

/// <summary>
/// The exit code -EnableExit sets, kept per runspace and only ever raised: a later clean call in the same script
/// must not turn an earlier call's findings into exit 0. Findings (1) outrank incomplete (2), which outranks clean (0).
/// </summary>
internal static class SessionExitCode
{
    private static readonly ConditionalWeakTable<Runspace, StrongBox<int>> s_codes = new();
    private static readonly StrongBox<int> s_noRunspace = new(0);

    /// <summary>Merges <paramref name="code"/> into the session's code and returns the result.</summary>
    public static int Raise(int code)
    {
        StrongBox<int> box = Runspace.DefaultRunspace is { } runspace ? s_codes.GetOrCreateValue(runspace) : s_noRunspace;
        lock (box)
        {
            box.Value = Rank(code) > Rank(box.Value) ? code : box.Value;
            return box.Value;
        }
    }

    private static int Rank(int code) => code switch
    {
        1 => 2,
        2 => 1,
        _ => 0,
    };
}
