# Robustness as users meet it (issue 17): time budgets, repeated module loads, and files the walk cannot open.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
}

Describe 'Invoke-ModelScan -TimeoutSec' {
    BeforeAll {
        # 20 GiB of holes: hashing it whole takes far longer than the budget.
        $big = Join-Path $TestDrive 'huge.bin'
        $stream = [IO.File]::Create($big); $stream.SetLength(20GB); $stream.Dispose()
    }

    It 'stops a scan at its time budget by cancellation and reports it Inconclusive' {
        Import-Module $ModulePath -Force
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $result = Invoke-ModelScan -LiteralPath $big -TimeoutSec 1
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 15
        $result.Outcome | Should -Be 'Inconclusive'
        $result.Findings.RuleId | Should -Contain 'MA9006'
    }
}

Describe 'The ModelAudit module in one long session' {
    It 'can be imported, used and removed five times over' {
        $child = Invoke-ChildPwsh @"
foreach (`$i in 1..5) {
    Import-Module '$ModulePath'
    'round {0}: {1}' -f `$i, (Invoke-ModelScan '$(Join-Path $Fixtures 'malicious/os_system_p4.pkl')').Outcome
    Remove-Module ModelAudit
}
'loaded after: {0}' -f [bool](Get-Module ModelAudit)
"@
        $child.ExitCode | Should -Be 0
        ([regex]::Matches($child.Output, 'round \d: Issues')).Count | Should -Be 5
        $child.Output | Should -Match 'loaded after: False'
    }
}

Describe 'Invoke-ModelScan over a folder with a file it cannot open' {
    It 'writes an error for the file whose name is not UTF-8 and scans the rest' {
        $dir = Join-Path $TestDrive 'odd'
        New-Item -ItemType Directory $dir | Out-Null
        Set-Content -LiteralPath (Join-Path $dir 'notes.txt') -Value 'hello'
        & python3 -c "import os,sys; open(os.path.join(sys.argv[1].encode(), b'model\xff.pkl'), 'wb').write(b'cos\nsystem\n(S\'id\'\ntR.')" $dir
        $LASTEXITCODE | Should -Be 0
        Import-Module $ModulePath -Force
        $results = Invoke-ModelScan -LiteralPath $dir -ErrorVariable problems -ErrorAction SilentlyContinue
        @($results).Count | Should -Be 1
        $results.Outcome | Should -Be 'Clean'
        @($problems).Count | Should -Be 1
        "$($problems[0])" | Should -Match 'cannot be opened by its name'
        & rm -rf $dir
    }
}
