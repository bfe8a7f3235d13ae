<#
.SYNOPSIS
    Writes docs/rules/<RuleId>.md for every rule of the catalog (build.ps1 -Task Docs). A test keeps pages and rules 1:1.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $Destination
)

$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
New-Item -ItemType Directory -Force $Destination | Out-Null
Get-ChildItem $Destination -Filter 'MA*.md' | Remove-Item
foreach ($rule in Get-ModelScanRule) {
    $cves = if ($rule.Cve.Count) { ($rule.Cve | ForEach-Object { "[$_](https://www.cve.org/CVERecord?id=$_)" }) -join ', ' } else { 'none' }
    $text = @"
# $($rule.Id): $($rule.Title)

| | |
|---|---|
| Default severity | $($rule.Severity) |
| Category | $($rule.Category) |
| CVEs | $cves |

## What it detects

$($rule.Description)

## What to do

$($rule.Remediation)

## Find it

``````powershell
Invoke-ModelScan ./models -Recurse | Get-ModelFinding -RuleId $($rule.Id)
``````
"@
    Set-Content -Path (Join-Path $Destination "$($rule.Id).md") -Value $text -Encoding utf8NoBOM
}
Write-Host "Wrote $((Get-ModelScanRule).Count) rule pages to $Destination"
