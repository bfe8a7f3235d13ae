#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests, demonstrates and benchmarks the ModelAudit module.
.DESCRIPTION
    Build  publishes the three assemblies and lays out out/ModelAudit from an allow-list: the cmdlet and model
           assemblies at the root, the engine and every third-party assembly under Dependencies/.
    Test   runs the xunit engine tests, then Pester against the built module in a child pwsh, and prints one
           final line "N passed, N failed". Exits non-zero on any failure or when no test ran.
    Demo   makes a sample folder of benign and malicious files and scans it.
    Docs   regenerates docs/rules/*.md from the rule catalog.
    Bench  prints throughput and memory figures (see tests/Bench).
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Docs', 'Bench', 'Clean')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
$env:NO_COLOR = '1'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out 'ModelAudit'

# What ships, and where: anything else in the publish folder fails the build, so the allow-list stays honest.
$RootFiles = @('ModelAudit.dll', 'ModelAudit.Model.dll', 'ModelAudit.format.ps1xml', 'ModelAudit.types.ps1xml')
$DependencyFiles = @('ModelAudit.Engine.dll', 'SharpCompress.dll')

function Invoke-Native {
    param([string] $File, [string[]] $Arguments)
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function Get-ModuleVersion {
    $props = [xml](Get-Content -Raw (Join-Path $Root 'Directory.Build.props'))
    return ($props.Project.PropertyGroup | Where-Object { $_.ModuleVersion } | Select-Object -First 1).ModuleVersion
}

function Invoke-Build {
    $publish = Join-Path $Out 'publish'
    Invoke-Native dotnet @('publish', (Join-Path $Root 'src/ModelAudit/ModelAudit.csproj'), '-c', $Configuration, '-o', $publish, '--nologo', '-v', 'q')

    $expected = $RootFiles + $DependencyFiles
    $unexpected = Get-ChildItem $publish -Filter *.dll | Where-Object Name -notin $expected
    if ($unexpected) { throw "Publish produced assemblies missing from the build allow-list: $($unexpected.Name -join ', ')" }

    if (Test-Path $ModuleOut) { Remove-Item $ModuleOut -Recurse -Force }
    $deps = New-Item -ItemType Directory -Force (Join-Path $ModuleOut 'Dependencies')
    foreach ($file in $RootFiles) { Copy-Item (Join-Path $publish $file) $ModuleOut }
    foreach ($file in $DependencyFiles) { Copy-Item (Join-Path $publish $file) $deps }

    $version = Get-ModuleVersion
    (Get-Content -Raw (Join-Path $Root 'ModelAudit.psd1')).Replace('{{ModuleVersion}}', $version) |
        Set-Content -NoNewline -Encoding utf8 (Join-Path $ModuleOut 'ModelAudit.psd1')
    $help = Join-Path $Root 'en-US'
    if (Test-Path $help) { Copy-Item $help $ModuleOut -Recurse }
    Write-Host "Built ModelAudit $version -> $ModuleOut"
}

function Get-NuGetRoot {
    $line = & dotnet nuget locals global-packages --list
    return ($line -replace '^global-packages:\s*', '').Trim()
}

function Invoke-Test {
    Invoke-Build
    $results = Join-Path $Out 'TestResults'
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }
    New-Item -ItemType Directory -Force $results | Out-Null

    # Engine tests (xunit). A failing test must not stop the Pester run: both are counted.
    $trx = Join-Path $results 'engine.trx'
    & dotnet test (Join-Path $Root 'tests/ModelAudit.Engine.Tests/ModelAudit.Engine.Tests.csproj') -c $Configuration --nologo `
        --logger "trx;LogFileName=$trx" --logger 'console;verbosity=minimal'
    $xunitPassed = 0; $xunitFailed = 0
    if (Test-Path $trx) {
        $counters = ([xml](Get-Content -Raw $trx)).TestRun.ResultSummary.Counters
        $xunitPassed = [int]$counters.passed
        $xunitFailed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
    } else {
        $xunitFailed = 1
        Write-Warning 'xunit produced no result file.'
    }

    # Pester, in a child pwsh against the built module (a loaded assembly cannot be unloaded).
    Invoke-Native dotnet @('restore', (Join-Path $Root 'tools/tools.csproj'), '--nologo', '-v', 'q')
    $pester = Join-Path (Get-NuGetRoot) 'pester/5.7.1/tools/Pester.psd1'
    $summary = Join-Path $results 'pester.json'
    & dotnet tool run pwsh -- -NoProfile -NonInteractive -File (Join-Path $Root 'tests/Pester/Invoke-PesterSuite.ps1') `
        -PesterPath $pester -ModulePath (Join-Path $ModuleOut 'ModelAudit.psd1') -SummaryPath $summary -ResultDirectory $results
    $pesterPassed = 0; $pesterFailed = 0
    if (Test-Path $summary) {
        $counts = Get-Content -Raw $summary | ConvertFrom-Json
        $pesterPassed = [int]$counts.Passed
        $pesterFailed = [int]$counts.Failed
    } else {
        $pesterFailed = 1
        Write-Warning 'Pester produced no summary.'
    }

    $passed = $xunitPassed + $pesterPassed
    $failed = $xunitFailed + $pesterFailed
    Write-Host "xunit: $xunitPassed passed, $xunitFailed failed; Pester: $pesterPassed passed, $pesterFailed failed"
    Write-Output "$passed passed, $failed failed"
    if ($failed -gt 0 -or $passed -eq 0) { exit 1 }
}

function Invoke-Demo {
    Invoke-Build
    $demo = Join-Path $Out 'demo'
    & (Join-Path $Root 'tests/fixtures/New-DemoFolder.ps1') -Destination $demo
    & dotnet tool run pwsh -- -NoProfile -NonInteractive -Command "
        Import-Module '$(Join-Path $ModuleOut 'ModelAudit.psd1')'
        `$results = Invoke-ModelScan -Path '$demo' -Recurse
        `$results | Format-Table -AutoSize | Out-String -Width 160
        `$results | Get-ModelFinding -Severity Critical, Warning | Format-Table -AutoSize -Wrap | Out-String -Width 160
    "
    if ($LASTEXITCODE -ne 0) { throw "Demo failed with exit code $LASTEXITCODE" }
}

function Invoke-Docs {
    Invoke-Build
    & dotnet tool run pwsh -- -NoProfile -NonInteractive -File (Join-Path $Root 'tools/Update-RuleDocs.ps1') `
        -ModulePath (Join-Path $ModuleOut 'ModelAudit.psd1') -Destination (Join-Path $Root 'docs/rules')
    if ($LASTEXITCODE -ne 0) { throw "Docs failed with exit code $LASTEXITCODE" }
}

function Invoke-Bench {
    Invoke-Native dotnet @('run', '--project', (Join-Path $Root 'tests/Bench/ModelAudit.Bench.csproj'), '-c', 'Release', '--', (Join-Path $Out 'bench'))
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Demo }
    'Docs' { Invoke-Docs }
    'Bench' { Invoke-Bench }
    'Clean' { if (Test-Path $Out) { Remove-Item $Out -Recurse -Force } }
}
