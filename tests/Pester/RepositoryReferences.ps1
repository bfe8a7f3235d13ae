# Finds references from repository files to paths outside the repository, for Repository.Tests.ps1. Dot-source it.
#
# Three kinds of reference are looked for in every text file given:
#  - Workspace paths: the folder this repository was developed in and the notes beside it. They exist on one
#    machine only, so no exemption is possible. The patterns are assembled from pieces so that this file does not
#    match itself.
#  - Home directories (/home/<user>, /Users/<user>, /root, the Windows Users folder, a leading tilde). Scanner code
#    and tests name some
#    on purpose, as the hostile paths a model points at; those are listed in $OutsideReferenceExemptions, each with
#    the exact text and why, so a new reference in the same file is still found.
#  - Relative links that climb out of the repository: Markdown and HTML links, MSBuild path attributes, and paths
#    built from the script's own folder ($PSScriptRoot, __file__, AppContext.BaseDirectory) with '..' segments.

$script:WorkspacePattern = [regex]::new(
    '(?<![\w.-])/' + 'work/|\.\./' + 'shared\b|(?<![\w])' + 'shared/(DESIGN|STYLE)\.md|/\.' + 'library/|/\.' + 'mirror/|bash_' + 'jobs')
$script:HomePattern = [regex]::new(
    '(?<![\w.:/~-])(/' + 'home/[^/\s''"`<>]+|/' + 'Users/[^/\s''"`<>]+|/' + 'root(?=/))|\b[A-Za-z]:\\' + 'Users\\|(?<![\w$])~[/\\]')

# Each entry: the file (relative, with /), the exact text that may appear there, and why it is not a reference.
$script:OutsideReferenceExemptions = @(
    @{ File = 'src/ModelAudit.Engine/Containers/ArchivePaths.cs'; Text = '"/' + 'root/"'; Why = 'a system location an archive member must not be written to' }
    @{ File = 'src/ModelAudit.Engine/Containers/ArchivePaths.cs'; Text = '"~' + '/"'; Why = 'a system location an archive member must not be written to' }
    @{ File = 'src/ModelAudit/DisplayPath.cs'; Text = '/' + 'home/me/.cache/huggingface/hub'; Why = 'illustrates the long cache paths the table view shortens' }
    @{ File = 'tests/ModelAudit.Engine.Tests/ArchiveTests.cs'; Text = '"/' + 'root/.ssh/id_rsa"'; Why = 'the hostile hard-link target under test' }
    @{ File = 'docs/cmdlets/Invoke-ModelScan.md'; Text = '~' + '/.cache/huggingface/hub'; Why = 'the default Hugging Face cache: the user''s models, an example input' }
)

function Get-RepositoryTextFile {
    # Tracked files only (what a clone holds), text only: a file with a NUL byte in its first 8 KiB is binary.
    param([Parameter(Mandatory)] [string] $Root)
    $names = & git -C $Root ls-files -z
    if ($LASTEXITCODE -ne 0) { throw "git ls-files failed in $Root" }
    foreach ($name in ($names -split "`0" | Where-Object { $_ })) {
        $full = Join-Path $Root $name
        if (-not (Test-Path -LiteralPath $full -PathType Leaf)) { continue }
        $bytes = [IO.File]::ReadAllBytes($full)
        $head = [Math]::Min($bytes.Length, 8192)
        if ([Array]::IndexOf($bytes, [byte]0, 0, $head) -ge 0) { continue }
        [pscustomobject]@{ Name = $name; FullName = $full; Text = [Text.Encoding]::UTF8.GetString($bytes) }
    }
}

function Test-InsideRoot {
    param([string] $Root, [string] $Path)
    $full = [IO.Path]::GetFullPath($Path)
    return $full -eq $Root -or $full.StartsWith($Root.TrimEnd('/', '\') + [IO.Path]::DirectorySeparatorChar, [StringComparison]::Ordinal)
}

function Get-RelativeLink {
    # Yields @{ Base = <folder the link is relative to>; Target = <link text> } for every link-like path in a file.
    param($File, [string] $Root)
    $folder = Split-Path $File.FullName
    $extension = [IO.Path]::GetExtension($File.Name).ToLowerInvariant()
    if ($extension -in '.md', '.html', '.htm', '.xml', '.ps1xml') {
        foreach ($m in [regex]::Matches($File.Text, '\]\(([^)\s]+)\)|(?:href|src)\s*=\s*"([^"]+)"')) {
            $target = if ($m.Groups[1].Success) { $m.Groups[1].Value } else { $m.Groups[2].Value }
            # Web and mail links and in-page anchors are not paths.
            if ($target -match '^[a-z][a-z0-9+.-]*:' -or $target.StartsWith('#')) { continue }
            @{ Base = $folder; Target = ($target -split '#')[0]; MustExist = $extension -eq '.md' }
        }
    }
    if ($extension -in '.csproj', '.props', '.targets') {
        foreach ($m in [regex]::Matches($File.Text, '\b(?:Include|Project|HintPath|Update|Remove)\s*=\s*"([^"$%@]+)"')) {
            @{ Base = $folder; Target = $m.Groups[1].Value.Replace('\', '/'); MustExist = $false }
        }
    }
    # Paths built from the file's own folder: Join-Path $PSScriptRoot '..' 'x', os.path.join(HERE, '..'),
    # Path.Combine(AppContext.BaseDirectory, "..", ...). The quoted segments that follow the base are joined.
    foreach ($m in [regex]::Matches($File.Text, '(?<base>\$PSScriptRoot|\bHERE\b|os\.path\.dirname\(__file__\)|AppContext\.BaseDirectory)(?<segs>(?:\s*,?\s*(?:''[^''\r\n]*''|"[^"\r\n]*"))+)')) {
        $segments = [regex]::Matches($m.Groups['segs'].Value, '''([^'']*)''|"([^"]*)"') | ForEach-Object {
            if ($_.Groups[1].Success) { $_.Groups[1].Value } else { $_.Groups[2].Value }
        }
        if (-not ($segments -match '\.\.')) { continue }
        $base = $folder
        if ($m.Groups['base'].Value -eq 'AppContext.BaseDirectory') {
            # A test or tool binary runs from <project>/bin/<configuration>/<framework>/.
            $project = $folder
            while ((Test-InsideRoot $Root $project) -and -not (Get-ChildItem -LiteralPath $project -Filter *.csproj -ErrorAction SilentlyContinue)) { $project = Split-Path $project }
            if (-not (Test-InsideRoot $Root $project)) { continue }
            $base = Join-Path $project 'bin' 'Release' 'net10.0'
        }
        @{ Base = $base; Target = ($segments -join '/'); MustExist = $false }
    }
}

function Find-OutsideReference {
    # One line per reference: "<file>:<line>: <kind>: <text>".
    param([Parameter(Mandatory)] [string] $Root, [Parameter(Mandatory)] [object[]] $Files, [object[]] $Exemptions = @())
    $Root = [IO.Path]::GetFullPath($Root).TrimEnd('/', '\')
    foreach ($file in $Files) {
        $lines = $file.Text -split "`n"
        $allowed = @($Exemptions | Where-Object File -eq $file.Name | ForEach-Object Text)
        for ($i = 0; $i -lt $lines.Count; $i++) {
            $line = $lines[$i]
            foreach ($m in $WorkspacePattern.Matches($line)) { "$($file.Name):$($i + 1): workspace path: $($m.Value)" }
            if ($HomePattern.IsMatch($line)) {
                $rest = $line
                foreach ($text in $allowed) { $rest = $rest.Replace($text, '') }
                foreach ($m in $HomePattern.Matches($rest)) { "$($file.Name):$($i + 1): home directory: $($m.Value)" }
            }
        }
        foreach ($link in Get-RelativeLink $file $Root) {
            if (-not $link.Target) { continue }
            $path = Join-Path $link.Base $link.Target
            if ([IO.Path]::IsPathRooted($link.Target) -or -not (Test-InsideRoot $Root $path)) {
                "$($file.Name): link outside the repository: $($link.Target)"
            } elseif ($link.MustExist -and -not (Test-Path -LiteralPath ([IO.Path]::GetFullPath($path)))) {
                "$($file.Name): link to a missing file: $($link.Target)"
            }
        }
    }
}
