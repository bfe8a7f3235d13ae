using System.Management.Automation;

namespace ModelAudit.Commands;

/// <summary>
/// <para type="synopsis">Lists the formats the engine recognises from content, and the scanner that covers each.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ModelScanner", HelpUri = HelpUri)]
[OutputType(typeof(ModelScannerInfo))]
public sealed class GetModelScannerCommand : PSCmdlet
{
    private const string HelpUri = "https://github.com/modelaudit/ModelAudit.PowerShell/blob/main/docs/cmdlets/Get-ModelScanner.md";

    /// <summary>Format names to list (wildcards allowed). All when omitted.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(FormatCompleter))]
    public string[] Format { get; set; } = Array.Empty<string>();

    /// <summary>Only formats whose content is scanned (leave out the recognised-only ones).</summary>
    [Parameter]
    public SwitchParameter ScannedOnly { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var patterns = Format.Select(p => new WildcardPattern(p, WildcardOptions.IgnoreCase)).ToArray();
        foreach (ModelScannerInfo info in ScanRunner.Scanners)
        {
            if ((patterns.Length == 0 || patterns.Any(p => p.IsMatch(info.Format))) && (!ScannedOnly || info.IsScanned))
            {
                WriteObject(info);
            }
        }
    }
}
