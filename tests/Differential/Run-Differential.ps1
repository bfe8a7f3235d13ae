#Requires -Version 7.4
<#
.SYNOPSIS
    Long differential run: CPython (pickle + zipfile, via oracle.py) against the engine.
.DESCRIPTION
    Generates -Cases cases in batches of -BatchSize with tests/Differential/oracle.py (batch i uses seed -Seed + i),
    replays each batch through the engine with the DifferentialReplayTests long-run fact (DIFFERENTIAL_CORPUS /
    DIFFERENTIAL_REPORT), and prints per-batch and total counts. Cases listed in known-disagreements.txt are skipped.
    Exits 1 when any batch has disagreements; the reports (and corpora, with -Keep) stay in -WorkDir.
.EXAMPLE
    dotnet tool run pwsh -- tests/Differential/Run-Differential.ps1 -Cases 1000000 -Seed 1000
#>
[CmdletBinding()]
param(
    [int] $Cases = 100000,
    [int] $Seed = 1,
    [int] $BatchSize = 100000,
    [int] $Jobs = [Environment]::ProcessorCount,
    [string] $WorkDir = (Join-Path ([IO.Path]::GetTempPath()) 'modelaudit-differential'),
    [switch] $Keep,
    [switch] $NoBuild
)

$ErrorActionPreference = 'Stop'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
$Root = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$Oracle = Join-Path $PSScriptRoot 'oracle.py'
$Project = Join-Path $Root 'tests/ModelAudit.Engine.Tests'
$Python = (Get-Command python3 -ErrorAction SilentlyContinue) ?? (Get-Command python -ErrorAction Stop)
New-Item -ItemType Directory -Force $WorkDir | Out-Null

if (-not $NoBuild) {
    & dotnet build $Project -v q --nologo | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "dotnet build failed with exit code $LASTEXITCODE" }
}

$total = [ordered]@{ Cases = 0; Checked = 0; Skipped = 0; DisagreeingCases = 0; Disagreements = 0 }
$clock = [Diagnostics.Stopwatch]::StartNew()
$failed = @()
for ($batch = 0; $batch * $BatchSize -lt $Cases; $batch++) {
    $n = [Math]::Min($BatchSize, $Cases - $batch * $BatchSize)
    $batchSeed = $Seed + $batch
    $corpus = Join-Path $WorkDir "batch-$batchSeed.jsonl.gz"
    $report = Join-Path $WorkDir "batch-$batchSeed.report.txt"
    $t0 = $clock.Elapsed
    & $Python.Source $Oracle generate --cases $n --seed $batchSeed --jobs $Jobs --out $corpus
    if ($LASTEXITCODE -ne 0) { throw "oracle.py failed with exit code $LASTEXITCODE" }
    $t1 = $clock.Elapsed

    $env:DIFFERENTIAL_CORPUS = $corpus
    $env:DIFFERENTIAL_REPORT = $report
    try {
        & dotnet test $Project --no-build --nologo --filter 'FullyQualifiedName~DifferentialReplayTests.LongRunCorpusFromEnvironment' | Out-Null
    }
    finally {
        Remove-Item Env:DIFFERENTIAL_CORPUS, Env:DIFFERENTIAL_REPORT -ErrorAction SilentlyContinue
    }
    if (-not (Test-Path $report)) { throw "the replay wrote no report for seed $batchSeed (dotnet test exit code $LASTEXITCODE)" }
    $first = (Get-Content $report -TotalCount 1)
    if ($first -notmatch '^(\d+) cases checked, (\d+) skipped .*?, (\d+) disagreeing cases, (\d+) disagreements') { throw "unexpected report: $first" }
    $checked, $skipped, $badCases, $disagreements = [int]$Matches[1], [int]$Matches[2], [int]$Matches[3], [int]$Matches[4]
    $total.Cases += $checked + $skipped; $total.Checked += $checked; $total.Skipped += $skipped
    $total.DisagreeingCases += $badCases; $total.Disagreements += $disagreements
    if ($disagreements -gt 0) { $failed += $report }
    Write-Host ("seed {0}: {1:N0} cases checked, {2} disagreeing cases ({3} disagreements); generate {4:N0}s, replay {5:N0}s -> {6}" -f `
        $batchSeed, $checked, $badCases, $disagreements, ($t1 - $t0).TotalSeconds, ($clock.Elapsed - $t1).TotalSeconds, $report)
    if (-not $Keep) { Remove-Item $corpus }
}

Write-Host ("TOTAL: {0:N0} cases ({1:N0} checked, {2:N0} skipped), {3:N0} disagreeing cases, {4:N0} disagreements, {5:N0}s" -f `
    $total.Cases, $total.Checked, $total.Skipped, $total.DisagreeingCases, $total.Disagreements, $clock.Elapsed.TotalSeconds)
if ($failed) {
    Write-Host "Reports with disagreements:`n  $($failed -join "`n  ")"
    exit 1
}
