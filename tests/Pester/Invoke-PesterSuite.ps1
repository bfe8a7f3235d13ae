<#
.SYNOPSIS
    Runs every tests/Pester/*.Tests.ps1 against the built module and writes a pass/fail summary for build.ps1.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SummaryPath,
    [Parameter(Mandatory)] [string] $ResultDirectory
)

$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -MinimumVersion 5.7.1
$env:MODELAUDIT_MODULE = (Resolve-Path $ModulePath).Path

$config = New-PesterConfiguration
$config.Run.Path = $PSScriptRoot
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = Join-Path $ResultDirectory 'pester.xml'
$result = Invoke-Pester -Configuration $config

# Skipped or not-run tests are not counted as passing.
$summary = [ordered]@{ Passed = $result.PassedCount; Failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount }
$summary | ConvertTo-Json | Set-Content -Path $SummaryPath -Encoding utf8NoBOM
Write-Host "Pester: $($summary.Passed) passed, $($summary.Failed) failed"
