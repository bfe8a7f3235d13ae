namespace ModelAudit.Engine.Rules;

// Rules of the PowerShell-experience family (issue 8): 6320–6339 integrity, 9020–9029 scan health.
internal static partial class RuleIds
{
    /// <summary>A standard site-packages .pth (setuptools, editable install, virtualenv): its import line is shown, as Info.</summary>
    public const string KnownSitePathConfiguration = "MA6320";
}
