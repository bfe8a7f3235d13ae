using System.Management.Automation;

namespace ModelAudit.Commands;

/// <summary>
/// Shared by the cmdlets that write a report file: -Path / -LiteralPath, -Force, -NoClobber, -PassThru and
/// ShouldProcess. The file is written atomically; a missing folder, a folder in place of the file or an existing file
/// under -NoClobber is an error naming the path, and nothing is written.
/// </summary>
public abstract class ModelReportFileCommandBase : ModelReportCommandBase
{
    /// <summary>Parameter set name for -Path.</summary>
    protected const string PathSet = "Path";

    /// <summary>Parameter set name for -LiteralPath.</summary>
    protected const string LiteralPathSet = "LiteralPath";

    /// <summary>The report file to write. The folder must exist.</summary>
    [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>The report file to write, taken exactly as written (no wildcards).</summary>
    [Parameter(ParameterSetName = LiteralPathSet, Mandatory = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = "";

    /// <summary>Overwrite the file even when it is read-only.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Do not overwrite an existing file; writing to one is an error.</summary>
    [Parameter]
    public SwitchParameter NoClobber { get; set; }

    /// <summary>Output the written file (FileInfo).</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Writes the report in <paramref name="format"/> to the target path, honouring -WhatIf, -NoClobber and -Force.</summary>
    protected void WriteReportFile(string format, string description, bool deterministicSerialNumber = false)
    {
        string target = SessionState.Path.GetUnresolvedProviderPathFromPSPath(ParameterSetName == LiteralPathSet ? LiteralPath : Path);
        string? folder = System.IO.Path.GetDirectoryName(target);
        if (Directory.Exists(target))
        {
            ThrowTerminatingError(new ErrorRecord(new IOException($"'{target}' is a folder; give the path of the report file to write."),
                "ReportPathIsFolder", ErrorCategory.InvalidArgument, target));
        }

        if (folder is null || !Directory.Exists(folder))
        {
            ThrowTerminatingError(new ErrorRecord(new DirectoryNotFoundException($"Cannot write '{target}': the folder '{folder}' does not exist."),
                "ReportFolderNotFound", ErrorCategory.ObjectNotFound, target));
        }

        if (NoClobber && File.Exists(target))
        {
            ThrowTerminatingError(new ErrorRecord(new IOException($"'{target}' already exists and -NoClobber was given."),
                "ReportFileExists", ErrorCategory.ResourceExists, target));
        }

        if (!Force && File.Exists(target) && File.GetAttributes(target).HasFlag(FileAttributes.ReadOnly))
        {
            ThrowTerminatingError(new ErrorRecord(new UnauthorizedAccessException($"'{target}' is read-only; use -Force to overwrite it."),
                "ReportFileReadOnly", ErrorCategory.PermissionDenied, target));
        }

        if (!ShouldProcess(target, $"Write {description} of {Results.Count} scan result(s)"))
        {
            return;
        }

        byte[] content = Render(format, deterministicSerialNumber);
        try
        {
            ReportFile.WriteAtomic(target, content, Force);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "ReportWriteFailed", ErrorCategory.WriteError, target));
        }

        if (PassThru)
        {
            WriteObject(new FileInfo(target));
        }
    }
}
