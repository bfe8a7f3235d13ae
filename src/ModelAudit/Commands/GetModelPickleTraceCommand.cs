using System.Management.Automation;

namespace ModelAudit.Commands;

/// <summary>
/// <para type="synopsis">Shows the symbolic trace of every pickle in a file: each import, call, instantiation and build, in order.</para>
/// <para type="description">For triage: what loading the file would import and call, with reconstructed arguments. Nothing is executed.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ModelPickleTrace", DefaultParameterSetName = PathSet, HelpUri = HelpUri)]
[OutputType(typeof(PickleTraceEntry))]
public sealed class GetModelPickleTraceCommand : ModelScanCommandBase
{
    private const string HelpUri = "https://github.com/modelaudit/ModelAudit.PowerShell/blob/main/docs/cmdlets/Get-ModelPickleTrace.md";

    /// <summary>Only entries of these actions (Import, Call, Instantiate, Build, Mutate, Extension, PersistentId, Frame).</summary>
    [Parameter]
    [ValidateSet("Import", "Call", "Instantiate", "Build", "Mutate", "Extension", "PersistentId", "Frame")]
    public string[] Action { get; set; } = Array.Empty<string>();

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        try
        {
            foreach (PickleTraceEntry entry in TraceCollected())
            {
                if (Action.Length == 0 || Action.Contains(entry.Action, StringComparer.OrdinalIgnoreCase))
                {
                    WriteObject(entry);
                }
            }
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
        }
    }

    /// <inheritdoc />
    protected override void HandleResult(ModelScanResult result, int input)
    {
    }
}
