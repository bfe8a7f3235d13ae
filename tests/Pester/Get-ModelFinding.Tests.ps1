BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModulePath -Force
    $malicious = Join-Path $Fixtures 'malicious'
}

Describe 'Get-ModelFinding' {
    It 'flattens results from the pipeline into typed findings' {
        $findings = Invoke-ModelScan $malicious | Get-ModelFinding
        $findings | Should -Not -BeNullOrEmpty
        $findings | ForEach-Object { $_ | Should -BeOfType ([ModelAudit.ModelFinding]) }
    }

    It 'scans paths itself (Path set)' {
        (Get-ModelFinding -Path (Join-Path $malicious 'os_system_p0.pkl')).Evidence | Should -Be "posix.system('echo modelaudit-fixture')"
    }

    It 'scans FileInfo from Get-ChildItem (LiteralPath set)' {
        $findings = Get-ChildItem $malicious -Filter 'os_system_p*.pkl' | Get-ModelFinding
        $findings.Count | Should -Be 3
    }

    It 'filters by -Severity, -RuleId wildcards and -Category' {
        $all = Invoke-ModelScan $malicious
        ($all | Get-ModelFinding -Severity Critical).Severity | Sort-Object -Unique | Should -Be 'Critical'
        ($all | Get-ModelFinding -RuleId 'MA10*').RuleId | ForEach-Object { $_ | Should -BeLike 'MA10*' }
        ($all | Get-ModelFinding -Category Archive).RuleId | Should -Contain 'MA2008'
        ($all | Get-ModelFinding -RuleId 'MA1013' -Severity Critical) | Should -BeNullOrEmpty
    }

    It 'groups the finding table by file' {
        $text = Get-ModelFinding -Path (Join-Path $malicious 'nested_pickle_loads.pkl') | Out-String -Width 200
        $text | Should -Match '(?m)^File: nested_pickle_loads\.pkl\s+in .*malicious'
        $text | Should -Match '(?m)^Critical MA\d{4} bytes@\d+: '
        $table = Get-ModelFinding -Path (Join-Path $malicious 'nested_pickle_loads.pkl') | Format-Table | Out-String -Width 200
        $table | Should -Match 'Severity\s+RuleId\s+Message'
        $table | Should -Match 'bytes@\d+: '
    }

    It 'lists every field of a finding' {
        $text = Get-ModelFinding -Path (Join-Path $malicious 'os_system_p4.pkl') | Format-List | Out-String -Width 200
        foreach ($field in 'RuleId', 'Severity', 'Category', 'Message', 'Path', 'Member', 'Offset', 'Evidence', 'Cve', 'Scanner', 'Remediation', 'HelpUri') {
            $text | Should -Match "$field\s+:"
        }
    }

    It 'supports the Where-Object gate from the README' {
        (Invoke-ModelScan $malicious | Get-ModelFinding | Where-Object Severity -eq Critical).Count | Should -BeGreaterThan 10
    }

    It 'reports a missing path' {
        Get-ModelFinding -Path (Join-Path $TestDrive 'none.pkl') -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'ModelPathNotFound,ModelAudit.Commands.GetModelFindingCommand'
    }
}
