BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'DocExamples.ps1')
    $docs = Join-Path $PSScriptRoot '..' '..' 'docs'
    $pages = @(Get-ChildItem (Join-Path $docs 'cmdlets') -Filter *.md) + @(Get-ChildItem $docs -Filter 'about_*.md')
    $script:Examples = @($pages | Sort-Object Name | ForEach-Object { Get-DocExample $_.FullName })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'DocExamples.ps1')
    Import-Module $ModulePath -Force
    $script:Repository = Join-Path $PSScriptRoot '..' '..' | Resolve-Path | Select-Object -ExpandProperty Path
}

# Every example a reader can paste ('### ' under '## EXAMPLES' in docs/cmdlets/*.md and docs/about_*.md) runs here,
# against the sample folder build.ps1 -Task Demo makes, in a fresh runspace of its own (so one example's -EnableExit
# code or variables cannot leak into the next). Examples that need a network, a share or other machines carry
# '<!-- not run offline: why -->' and are checked for being so.
Describe 'Examples of the cmdlet pages and about_ topics' {
    BeforeAll {
        $script:Samples = New-ExampleWorkspace -Destination (Join-Path $TestDrive 'samples') -Repository $Repository
        # As installed: the module can be found by name, so a thread job or a new runspace in an example loads it.
        $script:SavedModulePath = $env:PSModulePath
        $env:PSModulePath = (Split-Path (Split-Path $ModulePath)) + [IO.Path]::PathSeparator + $env:PSModulePath
    }

    AfterAll {
        $env:PSModulePath = $SavedModulePath
    }

    It 'the pages hold examples, and most of them run offline' {
        $Examples.Count | Should -BeGreaterOrEqual 27
        @($Examples | Where-Object { -not $_.NotRunReason }).Count | Should -BeGreaterThan (@($Examples).Count / 2)
    }

    It '<Page>, <Title>: runs against the samples without an error' -ForEach @($Examples | Where-Object { -not $_.NotRunReason }) {
        $work = Join-Path $TestDrive ('run-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
        Copy-Item $Samples $work -Recurse
        $run = Invoke-DocExample -Code $Code -Directory $work -ModulePath $ModulePath
        $run.Exception | Should -BeNullOrEmpty -Because $Code
        ($run.Errors | Out-String) | Should -BeNullOrEmpty -Because $Code
        # -EnableExit sets the code even where no host can exit (0, 1 or 2 as documented).
        if ($Code -match '-EnableExit') { $run.ExitCode | Should -BeIn 0, 1, 2 -Because $Code }
    }

    It '<Page>, <Title>: is not run because it <NotRunReason>, and its code shows why' -ForEach @($Examples | Where-Object { $_.NotRunReason }) {
        # The mark may not hide an example that could run: it must reach outside this machine.
        $Code | Should -Match 'hf://|https?://|-Uri\b|\\\\[\w.-]+\\|-ComputerName|-Session\b|HF_TOKEN|\.cache/huggingface'
    }
}

Describe 'The policy example in about_ModelAudit_Policy' {
    It 'is a complete policy the scanner accepts' {
        $policy = Join-Path $TestDrive 'example.policy.psd1'
        Set-Content -LiteralPath $policy -Value (Get-AboutPolicyExample (Join-Path $Repository 'docs' 'about_ModelAudit_Policy.md'))
        $data = Import-PowerShellDataFile $policy
        $data.Keys | Sort-Object | Should -Be @('AllowedGlobals', 'DeniedGlobals', 'Limits', 'SeverityOverrides', 'Suppressions')
        $result = Invoke-ModelScan (Join-Path $Fixtures 'malicious/os_system_p4.pkl') -Policy $policy -ErrorVariable problems
        $problems | Should -BeNullOrEmpty
        $result.Outcome | Should -Be 'Issues'
    }
}

Describe 'Rule pages' {
    BeforeAll {
        $script:Generated = Join-Path $TestDrive 'rules'
        & (Join-Path $Repository 'tools/Update-RuleDocs.ps1') -ModulePath $ModulePath -Destination $Generated 6>$null
        $script:Committed = Join-Path $Repository 'docs' 'rules'
    }

    It 'docs/rules has exactly one page per rule of the catalog, and no other' {
        $ids = (Get-ModelScanRule).Id | Sort-Object
        $pages = (Get-ChildItem $Committed -File).Name | Sort-Object
        $missing = $ids | Where-Object { "$_.md" -notin $pages }
        $orphans = $pages | Where-Object { $_ -notmatch '^MA\d{4}\.md$' -or $_.Substring(0, 6) -notin $ids }
        $missing | Should -BeNullOrEmpty -Because 'every rule needs a page (build.ps1 -Task Docs)'
        $orphans | Should -BeNullOrEmpty -Because 'a page without a rule documents nothing the scanner reports'
    }

    It 'each page says what the catalog says (regenerate with build.ps1 -Task Docs)' {
        $stale = foreach ($page in Get-ChildItem $Generated -File) {
            $pagePath = Join-Path $Committed $page.Name
            if (-not (Test-Path $pagePath) -or (Get-Content -Raw $pagePath) -cne (Get-Content -Raw $page.FullName)) { $page.Name }
        }
        $first = $stale | Select-Object -First 1
        $detail = if ($first) { "$first now reads:`n" + (Get-Content -Raw (Join-Path $Generated $first)) }
        $stale | Should -BeNullOrEmpty -Because $detail
    }
}

# The tour in README.md is output copied from a run; a change in what the scanner finds must show up there too.
Describe 'The README tour' {
    BeforeAll {
        $readme = (Get-Content -Raw (Join-Path $Repository 'README.md')) -replace "`r`n", "`n"
        $script:Tour = [regex]::Match($readme, '(?ms)^## A 30-second tour\n.*?```\n(.*?)\n```').Groups[1].Value
        $script:Demo = Join-Path $TestDrive 'tour' 'models'
        & (Join-Path $Repository 'tests/fixtures/New-DemoFolder.ps1') -Destination $Demo 6>$null
        $script:RowPattern = '^(Clean|Issues|Inconclusive|Error)\s+\S+\s+\d+\s+\d+\s+\d+\s+\S'
    }

    It 'lists each demo file with the outcome, format and counts a scan gives today' {
        $shown = @($Tour -split "`n" | Where-Object { $_ -match $RowPattern } | ForEach-Object { $_ -replace '\s+', ' ' } | Sort-Object)
        $shown.Count | Should -Be @(Get-ChildItem $Demo -Recurse -File).Count
        $table = Invoke-ModelScan $Demo -Recurse | Format-Table | Out-String -Width 120
        $actual = @($table -split "`n" | ForEach-Object TrimEnd | Where-Object { $_ -match $RowPattern } | ForEach-Object { $_ -replace '\s+', ' ' } | Sort-Object)
        $actual | Should -Be $shown
    }

    It 'shows the exit code -EnableExit gives for the demo folder' {
        $code = Invoke-DocExample -Code "Invoke-ModelScan '$Demo' -Recurse -EnableExit | Out-Null" -Directory $TestDrive -ModulePath $ModulePath
        $Tour | Should -Match ('\$LASTEXITCODE\n' + $code.ExitCode + '(\n|$)')
    }
}
