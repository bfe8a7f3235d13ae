@{
    RootModule           = 'ModelAudit.dll'
    ModuleVersion        = '{{ModuleVersion}}'
    GUID                 = '6f0c6a57-6b1e-4b59-9d4e-0e7a4c1b2d93'
    Author               = 'ModelAudit contributors'
    CompanyName          = 'ModelAudit'
    Copyright            = '(c) ModelAudit contributors. MIT License.'
    Description          = 'Static security scanner for AI/ML model files (pickle, PyTorch, joblib, NumPy, SafeTensors, archives). Never loads or executes the models it scans.'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.4'
    FormatsToProcess     = @('ModelAudit.format.ps1xml')
    TypesToProcess       = @('ModelAudit.types.ps1xml')
    CmdletsToExport      = @(
        'Invoke-ModelScan'
        'Get-ModelFinding'
        'Test-ModelFile'
        'Get-ModelScanRule'
        'Get-ModelScanner'
        'Get-ModelPickleTrace'
        'Export-ModelScanReport'
        'ConvertTo-ModelScanReport'
        'Export-ModelSbom'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('Security', 'MachineLearning', 'Pickle', 'PyTorch', 'SupplyChain', 'Scanner')
            LicenseUri = 'https://github.com/modelaudit/ModelAudit.PowerShell/blob/main/LICENSE'
            ProjectUri = 'https://github.com/modelaudit/ModelAudit.PowerShell'
            # MIT asks nothing of the installer, so Install-PSResource must not prompt.
            RequireLicenseAcceptance = $false
            ReleaseNotes = 'First release: static scanning of pickle, PyTorch, joblib, NumPy, SafeTensors and archive files; see Get-ModelScanner for the full format list.'
        }
    }
}
