<#
.SYNOPSIS
    Packs a built module folder (out/ModelAudit) into a .nupkg that Install-PSResource accepts.
.DESCRIPTION
    Uses Compress-PSResource from Microsoft.PowerShell.PSResourceGet, which ships with the pinned pwsh tool, so the
    package is laid out exactly as PSResourceGet expects to install it. Fails (never skips) when PSResourceGet is
    missing: a package step that silently did nothing would let a release go out without its package.
    Writes the path of the .nupkg to the pipeline.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleDirectory,
    [Parameter(Mandatory)] [string] $Destination
)

$ErrorActionPreference = 'Stop'
Import-Module Microsoft.PowerShell.PSResourceGet -MinimumVersion 1.1.0

$manifestPath = Join-Path $ModuleDirectory 'ModelAudit.psd1'
$manifest = Import-PowerShellDataFile $manifestPath
if (-not (Test-Path (Join-Path $ModuleDirectory 'LICENSE'))) { throw "The module in $ModuleDirectory has no LICENSE file." }

New-Item -ItemType Directory -Force $Destination | Out-Null
$name = "ModelAudit.$($manifest.ModuleVersion).nupkg"
$existing = Join-Path $Destination $name
if (Test-Path $existing) { Remove-Item $existing -Force }

Compress-PSResource -Path $ModuleDirectory -DestinationPath $Destination
$package = Get-Item (Join-Path $Destination $name) -ErrorAction SilentlyContinue
if (-not $package) { throw "Compress-PSResource did not produce $name in $Destination." }
$package.FullName
