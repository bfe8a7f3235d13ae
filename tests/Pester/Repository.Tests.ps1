BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'RepositoryReferences.ps1')
    $script:Repository = Join-Path $PSScriptRoot '..' '..' | Resolve-Path | Select-Object -ExpandProperty Path
}

# The repository must stand on its own: a file that points at a path outside it (a design note on one engineer's
# machine, a home directory, a link climbing above the root) is a dead reference for everyone else.
Describe 'The repository is self-contained' {
    BeforeAll {
        $script:Files = @(Get-RepositoryTextFile $Repository)
    }

    It 'reads every tracked text file, not only Markdown, and skips binary fixtures' {
        $Files.Count | Should -BeGreaterThan 100
        $Files.Name | Should -Contain 'build.ps1'
        $Files.Name | Should -Contain 'src/ModelAudit.Engine/ModelAudit.Engine.csproj'
        $Files.Name | Should -Contain 'tests/Pester/TestHelpers.ps1'
        $Files.Name | Should -Not -Contain 'tests/fixtures/malicious/os_system_p4.pkl'
    }

    It 'no tracked file refers to a path outside the repository' {
        Find-OutsideReference -Root $Repository -Files $Files -Exemptions $OutsideReferenceExemptions | Should -BeNullOrEmpty
    }

    It 'every exemption still names text that is in its file' {
        foreach ($exemption in $OutsideReferenceExemptions) {
            $file = $Files | Where-Object Name -eq $exemption.File
            $file | Should -Not -BeNullOrEmpty -Because "$($exemption.File) is exempted"
            $file.Text.Contains($exemption.Text) | Should -BeTrue -Because "a stale exemption in $($exemption.File) would hide a new reference"
        }
    }

    It 'finds each kind of outside reference in files it is given' {
        $root = Join-Path $TestDrive 'repo'
        New-Item -ItemType Directory -Force (Join-Path $root 'docs'), (Join-Path $root 'tools'), (Join-Path $root 'src/P') | Out-Null
        Set-Content (Join-Path $root 'docs/inside.md') 'present'
        # Built from pieces, like the patterns, so this test file is not itself a finding.
        $planted = [ordered]@{
            'docs/a.md'        = "See [the design](../../sha" + "red/DESIGN.md), [gone](missing.md) and [fine](inside.md)."
            'docs/b.md'        = 'Notes in /' + 'work/sha' + 'red/STYLE.md and C:\' + 'Users\dev\models.'
            'tools/c.ps1'      = "`$x = Join-Path `$PSScriptRoot '..' '..' 'elsewhere'`n`$y = '/" + "home/dev/.cache/x'`n`$z = Join-Path `$PSScriptRoot '..' 'docs'"
            'src/P/P.csproj'   = '<Project><ItemGroup><ProjectReference Include="..\..\..\Other\Other.csproj" /></ItemGroup></Project>'
            'src/P/Program.cs' = 'var f = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "..", "outside");'
            'tools/d.py'       = "print(open('~" + "/secrets').read())"
        }
        $given = foreach ($name in $planted.Keys) {
            $full = Join-Path $root $name
            Set-Content -LiteralPath $full -Value $planted[$name]
            [pscustomobject]@{ Name = $name; FullName = $full; Text = $planted[$name] }
        }
        $exempt = @(@{ File = 'tools/d.py'; Text = "'~" + "/secrets'"; Why = 'shows that an exemption is honoured' })
        $expected = @(
            '^docs/a\.md:1: workspace path: \.\./shared$'
            '^docs/a\.md: link outside the repository: \.\./\.\./shared/DESIGN\.md$'
            '^docs/a\.md: link to a missing file: missing\.md$'
            '^docs/b\.md:1: workspace path: [/]work[/]$'
            '^docs/b\.md:1: workspace path: shared/STYLE\.md$'
            '^docs/b\.md:1: home directory: C:\\Users\\$'
            '^tools/c\.ps1:2: home directory: [/]home[/]dev$'
            '^tools/c\.ps1: link outside the repository: \.\./\.\./elsewhere$'
            '^src/P/P\.csproj: link outside the repository: \.\./\.\./\.\./Other/Other\.csproj$'
            '^src/P/Program\.cs: link outside the repository: (\.\./){6}outside$'
        )
        $found = @(Find-OutsideReference -Root $root -Files $given -Exemptions $exempt)
        $found | Should -HaveCount $expected.Count -Because ($found -join "`n")
        foreach ($pattern in $expected) { @($found -match $pattern) | Should -HaveCount 1 -Because "$pattern in:`n$($found -join "`n")" }
        @(Find-OutsideReference -Root $root -Files ($given | Where-Object Name -eq 'tools/d.py')) | Should -HaveCount 1
    }

    It 'ships a LICENSE at the root' {
        Get-Content -Raw (Join-Path $Repository 'LICENSE') | Should -Match '^MIT License'
    }
}
