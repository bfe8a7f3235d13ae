# Reads and runs the examples of docs/cmdlets/*.md, for Docs.Tests.ps1. Dot-source it.

function Get-DocExample {
    # One object per '### ' example under '## EXAMPLES': its title, its first powershell block, and the reason
    # from a '<!-- not run offline: reason -->' mark when it has one.
    param([Parameter(Mandatory)] [string] $Path)
    $page = [IO.Path]::GetFileNameWithoutExtension($Path)
    $text = (Get-Content -Raw -LiteralPath $Path) -replace "`r`n", "`n"
    $section = [regex]::Match($text, '(?ms)^## EXAMPLES\n(.*?)(?=^## )').Groups[1].Value
    foreach ($part in [regex]::Split($section, '(?m)^### ') | Where-Object { $_.Trim() }) {
        $title = ($part -split "`n", 2)[0].Trim()
        $code = [regex]::Match($part, '(?s)```powershell\n(.*?)\n```').Groups[1].Value
        $reason = [regex]::Match($part, '<!--\s*not run offline:\s*(.+?)\s*-->').Groups[1].Value
        @{ Page = $page; Title = $title; Code = $code; NotRunReason = $reason }
    }
}

function Get-AboutPolicyExample {
    # The complete policy file: the powershell block under '## EXAMPLE POLICY FILE'.
    param([Parameter(Mandatory)] [string] $Path)
    $text = (Get-Content -Raw -LiteralPath $Path) -replace "`r`n", "`n"
    $section = [regex]::Match($text, '(?ms)^## EXAMPLE POLICY FILE\n(.*?)(?=^## |\z)').Groups[1].Value
    $code = [regex]::Match($section, '(?s)```powershell\n(.*?)\n```')
    if (-not $code.Success) { throw "No policy example in $Path" }
    return $code.Groups[1].Value
}

function New-ExampleWorkspace {
    # The folder the examples are written against: ./models (the demo samples, benign and malicious), a clean
    # ./downloads/model.bin, a clean ./model.pt, two clean pickles ./a.pkl and ./b.pkl, ./suspicious.pkl, a clean
    # ./release folder, and the policy file of about_ModelAudit_Policy as ./modelaudit.policy.psd1.
    param([Parameter(Mandatory)] [string] $Destination, [Parameter(Mandatory)] [string] $Repository)
    $fixtures = Join-Path $Repository 'tests' 'fixtures'
    & (Join-Path $fixtures 'New-DemoFolder.ps1') -Destination (Join-Path $Destination 'models') 6>$null
    New-Item -ItemType Directory -Force (Join-Path $Destination 'downloads') | Out-Null
    Copy-Item (Join-Path $fixtures 'benign' 'torch_state_dict.pt') (Join-Path $Destination 'downloads' 'model.bin')
    Copy-Item (Join-Path $fixtures 'benign' 'cpython_dict_p4.pkl') (Join-Path $Destination 'a.pkl')
    Copy-Item (Join-Path $fixtures 'benign' 'cpython_misc_p2.pkl') (Join-Path $Destination 'b.pkl')
    Copy-Item (Join-Path $fixtures 'malicious' 'os_system_p4.pkl') (Join-Path $Destination 'suspicious.pkl')
    Copy-Item (Join-Path $fixtures 'benign' 'torch_state_dict.pt') (Join-Path $Destination 'model.pt')
    Copy-Item (Join-Path $Destination 'models' 'benign') (Join-Path $Destination 'release') -Recurse
    Set-Content -LiteralPath (Join-Path $Destination 'modelaudit.policy.psd1') `
        -Value (Get-AboutPolicyExample (Join-Path $Repository 'docs' 'about_ModelAudit_Policy.md'))
    return $Destination
}

function Invoke-DocExample {
    # Runs the code in a new runspace whose location is $Directory, with the module imported. The runspace has
    # no host to exit, so -EnableExit only sets $LASTEXITCODE, which is returned.
    param([Parameter(Mandatory)] [string] $Code, [Parameter(Mandatory)] [string] $Directory, [Parameter(Mandatory)] [string] $ModulePath)
    $state = [initialsessionstate]::CreateDefault()
    $state.ImportPSModule([string[]]@($ModulePath))
    $ps = [powershell]::Create($state)
    try {
        $location = $Directory.Replace("'", "''")
        $null = $ps.AddScript("Set-Location -LiteralPath '$location'`n$Code")
        $exception = $null
        $output = try { $ps.Invoke() } catch { $exception = $_.Exception.InnerException ?? $_.Exception }
        [pscustomobject]@{
            Output    = $output
            Errors    = @($ps.Streams.Error)
            Exception = $exception
            ExitCode  = $ps.Runspace.SessionStateProxy.GetVariable('LASTEXITCODE')
        }
    } finally {
        $runspace = $ps.Runspace
        $ps.Dispose()
        $runspace.Dispose()
    }
}
