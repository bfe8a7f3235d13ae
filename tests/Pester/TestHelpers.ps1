# Shared by the *.Tests.ps1 files: the module under test, fixtures, and a child pwsh for exit codes and isolation.
$script:ModulePath = $env:MODELAUDIT_MODULE
if (-not $script:ModulePath) { throw 'MODELAUDIT_MODULE is not set: run the suite through build.ps1 -Task Test.' }
$script:Fixtures = Join-Path $PSScriptRoot '..' 'fixtures' | Resolve-Path | Select-Object -ExpandProperty Path

function Invoke-ChildPwsh {
    param([Parameter(Mandatory)] [string] $Command)
    $dotnet = [Environment]::ProcessPath
    $pwshDll = Join-Path $PSHOME 'pwsh.dll'
    $output = & $dotnet $pwshDll -NoProfile -NonInteractive -Command $Command 2>&1
    [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output | Out-String) }
}

function New-PickleBytes {
    # PROTO 4, STACK_GLOBAL(module, name), ('arg',), REDUCE, STOP — a harmless gadget-shaped pickle.
    param([string] $Module = 'os', [string] $Name = 'system', [string] $Argument = 'echo hi')
    $bytes = [System.Collections.Generic.List[byte]]::new()
    $bytes.AddRange([byte[]](0x80, 4))
    foreach ($text in $Module, $Name) {
        $utf8 = [Text.Encoding]::UTF8.GetBytes($text)
        $bytes.Add(0x8C); $bytes.Add([byte]$utf8.Length); $bytes.AddRange($utf8)
    }
    $bytes.Add(0x93)
    $utf8 = [Text.Encoding]::UTF8.GetBytes($Argument)
    $bytes.Add(0x8C); $bytes.Add([byte]$utf8.Length); $bytes.AddRange($utf8)
    $bytes.AddRange([byte[]](0x85, [byte][char]'R', [byte][char]'.'))
    return , $bytes.ToArray()
}
