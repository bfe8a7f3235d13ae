BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
}

Describe 'ModelAudit module' {
    It 'exports exactly its cmdlets' {
        $module = Import-Module $ModulePath -Force -PassThru
        $module.ExportedCmdlets.Keys | Sort-Object | Should -Be @('ConvertTo-ModelScanReport', 'Export-ModelSbom', 'Export-ModelScanReport', 'Get-ModelFinding', 'Get-ModelPickleTrace', 'Get-ModelScanner', 'Get-ModelScanRule', 'Invoke-ModelScan', 'Test-ModelFile')
        $module.ExportedFunctions.Count | Should -Be 0
        $module.Version | Should -Not -Be ([version]'0.0')
    }

    It 'keeps the engine and its dependencies in a private load context' {
        $child = Invoke-ChildPwsh @"
Import-Module '$ModulePath'
Invoke-ModelScan '$(Join-Path $Fixtures 'benign/sklearn_forest_bz2.joblib')' | Out-Null
[AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -in 'ModelAudit', 'ModelAudit.Model', 'ModelAudit.Engine', 'SharpCompress' } |
    ForEach-Object { '{0}={1}' -f `$_.GetName().Name, [Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$_).Name } | Sort-Object
"@
        $child.Output | Should -Match 'ModelAudit=Default'
        $child.Output | Should -Match 'ModelAudit\.Model=Default'
        $child.Output | Should -Match 'ModelAudit\.Engine=ModelAudit\.Engine'
        $child.Output | Should -Match 'SharpCompress=ModelAudit\.Engine'
    }

    It 'works in a session that already loaded another version of SharpCompress' {
        $nuget = (& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
        $old = Join-Path $nuget.Trim() 'sharpcompress/0.48.0/lib/net8.0/SharpCompress.dll'
        Test-Path $old | Should -BeTrue
        $child = Invoke-ChildPwsh @"
Add-Type -Path '$old'
`$first = [SharpCompress.Compressors.BZip2.BZip2Stream].Assembly.GetName().Version
Import-Module '$ModulePath'
`$result = Invoke-ModelScan '$(Join-Path $Fixtures 'benign/sklearn_forest_bz2.joblib')'
"outcome=`$(`$result.Outcome) format=`$(`$result.Format)"
`$versions = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'SharpCompress' } | ForEach-Object { `$_.GetName().Version.ToString() } | Sort-Object -Unique
"preloaded=`$first versions=`$(`$versions -join ',')"
"@
        $child.ExitCode | Should -Be 0
        $child.Output | Should -Match 'outcome=Clean format=Bzip2'
        $child.Output | Should -Match 'preloaded=0\.48'
        $child.Output | Should -Match 'versions=0\.48[^,]*,0\.50'
    }

    It 'declares ShouldProcess on the cmdlets that write files, and only there' {
        Import-Module $ModulePath -Force
        $writers = 'Export-ModelSbom', 'Export-ModelScanReport'
        Get-Command -Module ModelAudit | ForEach-Object { $_.Parameters.ContainsKey('WhatIf') | Should -Be ($_.Name -in $writers) -Because $_.Name }
    }
}
