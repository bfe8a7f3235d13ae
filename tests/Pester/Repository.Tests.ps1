BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:Repository = Join-Path $PSScriptRoot '..' '..' | Resolve-Path | Select-Object -ExpandProperty Path
}

# The repository must stand on its own: documentation that links to a file outside it (a design note on one
# engineer's machine) is a dead link for everyone else.
Describe 'The repository is self-contained' {
    It 'every relative link in a Markdown file resolves to a file inside the repository' {
        $files = Get-ChildItem $Repository -Recurse -File -Filter *.md |
            Where-Object { $_.FullName -notmatch '[\\/](out|bin|obj|\.git)[\\/]' }
        $files.Count | Should -BeGreaterThan 0
        $broken = foreach ($file in $files) {
            $text = Get-Content -Raw $file.FullName
            foreach ($match in [regex]::Matches($text, '\]\(([^)\s]+)\)')) {
                $target = $match.Groups[1].Value
                # Web and mail links and in-page anchors are not paths.
                if ($target -match '^[a-z][a-z0-9+.-]*:' -or $target.StartsWith('#')) { continue }
                $path = [IO.Path]::GetFullPath((Join-Path $file.DirectoryName ($target -split '#')[0]))
                $inside = $path.StartsWith($Repository + [IO.Path]::DirectorySeparatorChar) -or $path -eq $Repository
                if (-not $inside -or -not (Test-Path $path)) { "$($file.FullName): $target" }
            }
        }
        $broken | Should -BeNullOrEmpty
    }

    It 'ships a LICENSE at the root' {
        Get-Content -Raw (Join-Path $Repository 'LICENSE') | Should -Match '^MIT License'
    }
}
