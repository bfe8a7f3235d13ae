BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModulePath -Force
}

Describe 'Get-ModelScanRule' {
    It 'lists every rule, each with a docs page' {
        $rules = Get-ModelScanRule
        $pages = Get-ChildItem (Join-Path $PSScriptRoot '..' '..' 'docs' 'rules') -Filter 'MA*.md'
        $rules.Count | Should -Be $pages.Count
        $rules | ForEach-Object { $_ | Should -BeOfType ([ModelAudit.ModelRule]) }
    }

    It 'filters by -Id with wildcards, -Severity and -Category' {
        (Get-ModelScanRule MA1001).Title | Should -Be 'Code execution callable'
        (Get-ModelScanRule -Id 'MA2*').Id | ForEach-Object { $_ | Should -BeLike 'MA2*' }
        (Get-ModelScanRule -Severity Critical).Severity | Sort-Object -Unique | Should -Be 'Critical'
        (Get-ModelScanRule -Category ScanHealth).Id | ForEach-Object { $_ | Should -BeLike 'MA9*' }
    }

    It 'takes rule ids by property name from findings' {
        $finding = Get-ModelFinding -Path (Join-Path $Fixtures 'malicious/os_system_p4.pkl')
        ($finding | Get-ModelScanRule).Id | Should -Be 'MA1001'
    }

    It 'reports an unknown id' {
        Get-ModelScanRule -Id MA0000 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'ModelRuleNotFound,ModelAudit.Commands.GetModelScanRuleCommand'
    }

    It 'shows a table of id, severity, category and title' {
        Get-ModelScanRule MA1001 | Out-String | Should -Match 'MA1001\s+Critical\s+CodeExecution\s+Code execution callable'
    }
}
