<#
.SYNOPSIS
    Generates MAML help (en-US/ModelAudit.dll-Help.xml) and the about_*.help.txt topics for the built module from
    docs/cmdlets/*.md and docs/about_*.md, joining the prose with live metadata from Get-Command
    (parameter sets, positions, pipeline input, aliases, types). PlatyPS is not available here; this is our own.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $DocsPath
)

$ErrorActionPreference = 'Stop'
$module = Import-Module $ModulePath -PassThru
$outDir = New-Item -ItemType Directory -Force (Join-Path (Split-Path $ModulePath) 'en-US')
$common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters

function Read-Sections([string] $file) {
    # '## NAME' sections, each a list of '### Title' subsections (or one untitled body).
    $sections = [ordered]@{}
    $current = $null; $sub = $null; $inCode = $false
    foreach ($line in Get-Content $file) {
        if ($line -match '^```') { $inCode = -not $inCode }
        if (-not $inCode -and $line -match '^## (.+)$') { $current = $Matches[1].Trim(); $sections[$current] = [System.Collections.Generic.List[object]]::new(); $sub = $null; continue }
        if ($null -eq $current) { continue }
        if (-not $inCode -and $line -match '^### (.+)$') { $sub = [pscustomobject]@{ Title = $Matches[1].Trim(); Lines = [System.Collections.Generic.List[string]]::new() }; $sections[$current].Add($sub); continue }
        if ($null -eq $sub) { $sub = [pscustomobject]@{ Title = ''; Lines = [System.Collections.Generic.List[string]]::new() }; $sections[$current].Add($sub) }
        $sub.Lines.Add($line)
    }
    return $sections
}

function Get-DefaultValue($command, [string] $name, [string[]] $paragraphs) {
    # The page's own "Default: ..." wins (it can say what a value means, e.g. "no limit"); otherwise the value a
    # fresh cmdlet object holds. Empty arrays, nulls and unset switches are "None"/"False" as Get-Help expects.
    $said = $paragraphs | Select-String -Pattern 'Default(?: value)?:\s*([^.;]+(?:\.\d+)?)' | Select-Object -First 1
    if ($said) { return $said.Matches[0].Groups[1].Value.Trim() }
    $value = [Activator]::CreateInstance($command.ImplementingType).$name
    if ($value -is [System.Management.Automation.SwitchParameter]) { return "$($value.IsPresent)" }
    if ($null -eq $value -or ($value -is [array] -and $value.Count -eq 0)) { return 'None' }
    if ($value -is [array]) { return $value -join ', ' }
    return "$value"
}

function Get-Paragraphs([string[]] $lines) {
    ((($lines -join "`n").Trim()) -split "`n\s*`n") | Where-Object { $_.Trim() } | ForEach-Object { ($_ -replace "`n", ' ').Trim() }
}

function Write-Paragraphs($w, [string[]] $paragraphs) {
    foreach ($p in $paragraphs) { $w.WriteElementString('maml', 'para', $mamlNs, $p) }
}

$mamlNs = 'http://schemas.microsoft.com/maml/2004/10'
$commandNs = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$devNs = 'http://schemas.microsoft.com/maml/dev/2004/10'
$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
$w = [System.Xml.XmlWriter]::Create((Join-Path $outDir 'ModelAudit.dll-Help.xml'), $settings)
$w.WriteStartDocument()
$w.WriteStartElement('helpItems', 'http://msh')
$w.WriteAttributeString('schema', 'maml')
foreach ($command in $module.ExportedCmdlets.Values | Sort-Object Name) {
    $doc = Join-Path $DocsPath "$($command.Name).md"
    if (-not (Test-Path $doc)) { throw "No help page for $($command.Name): add $doc" }
    $s = Read-Sections $doc
    $paramDocs = @{}
    foreach ($p in $s['PARAMETERS'] | Where-Object Title) { $paramDocs[$p.Title.TrimStart('-')] = @(Get-Paragraphs $p.Lines) }

    $w.WriteStartElement('command', 'command', $commandNs)
    $w.WriteAttributeString('xmlns', 'maml', $null, $mamlNs)
    $w.WriteAttributeString('xmlns', 'dev', $null, $devNs)
    $w.WriteStartElement('command', 'details', $commandNs)
    $w.WriteElementString('command', 'name', $commandNs, $command.Name)
    $w.WriteElementString('command', 'verb', $commandNs, $command.Verb)
    $w.WriteElementString('command', 'noun', $commandNs, $command.Noun)
    $w.WriteStartElement('maml', 'description', $mamlNs); Write-Paragraphs $w (Get-Paragraphs $s['SYNOPSIS'][0].Lines); $w.WriteEndElement()
    $w.WriteEndElement()
    $w.WriteStartElement('maml', 'description', $mamlNs); Write-Paragraphs $w (Get-Paragraphs $s['DESCRIPTION'][0].Lines); $w.WriteEndElement()

    function Write-Parameter($w, $name, $meta, $setMeta, [bool] $withDefault) {
        $w.WriteStartElement('command', 'parameter', $commandNs)
        $w.WriteAttributeString('required', "$($setMeta.IsMandatory)".ToLowerInvariant())
        $w.WriteAttributeString('variableLength', 'true')
        $w.WriteAttributeString('globbing', "$([bool]($meta.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }) -or $name -eq 'Path')".ToLowerInvariant())
        $pipeline = @(if ($setMeta.ValueFromPipeline) { 'ByValue' }; if ($setMeta.ValueFromPipelineByPropertyName) { 'ByPropertyName' })
        $w.WriteAttributeString('pipelineInput', $(if ($pipeline) { "True ($($pipeline -join ', '))" } else { 'False' }))
        $w.WriteAttributeString('position', $(if ($setMeta.Position -ge 0) { "$($setMeta.Position)" } else { 'named' }))
        $w.WriteAttributeString('aliases', $(if ($meta.Aliases.Count) { $meta.Aliases -join ', ' } else { 'none' }))
        $w.WriteElementString('maml', 'name', $mamlNs, $name)
        $w.WriteStartElement('maml', 'description', $mamlNs); Write-Paragraphs $w $paramDocs[$name]; $w.WriteEndElement()
        $typeName = $meta.ParameterType.Name
        if ($meta.ParameterType -ne [System.Management.Automation.SwitchParameter]) {
            $w.WriteStartElement('command', 'parameterValue', $commandNs)
            $w.WriteAttributeString('required', 'true'); $w.WriteAttributeString('variableLength', 'false')
            $w.WriteString($typeName); $w.WriteEndElement()
        }
        $w.WriteStartElement('dev', 'type', $devNs); $w.WriteElementString('maml', 'name', $mamlNs, $meta.ParameterType.FullName); $w.WriteEndElement()
        if ($withDefault) { $w.WriteElementString('dev', 'defaultValue', $devNs, (Get-DefaultValue $command $name $paramDocs[$name])) }
        $w.WriteEndElement()
    }

    $w.WriteStartElement('command', 'syntax', $commandNs)
    foreach ($set in $command.ParameterSets) {
        $w.WriteStartElement('command', 'syntaxItem', $commandNs)
        $w.WriteElementString('maml', 'name', $mamlNs, $command.Name)
        foreach ($p in $set.Parameters | Where-Object Name -notin $common) {
            if (-not $paramDocs.ContainsKey($p.Name)) { throw "$doc does not document -$($p.Name)" }
            $meta = $command.Parameters[$p.Name]
            Write-Parameter $w $p.Name $meta $p $false
        }
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'parameters', $commandNs)
    foreach ($name in $command.Parameters.Keys | Where-Object { $_ -notin $common } | Sort-Object) {
        $meta = $command.Parameters[$name]
        $setMeta = $meta.ParameterSets.Values | Select-Object -First 1
        Write-Parameter $w $name $meta $setMeta $true
    }
    $w.WriteEndElement()

    foreach ($kind in @(@{ Section = 'INPUTS'; Outer = 'inputTypes'; Inner = 'inputType' }, @{ Section = 'OUTPUTS'; Outer = 'returnValues'; Inner = 'returnValue' })) {
        $w.WriteStartElement('command', $kind.Outer, $commandNs)
        foreach ($item in $s[$kind.Section] | Where-Object Title) {
            $w.WriteStartElement('command', $kind.Inner, $commandNs)
            $w.WriteStartElement('dev', 'type', $devNs); $w.WriteElementString('maml', 'name', $mamlNs, $item.Title); $w.WriteEndElement()
            $w.WriteStartElement('maml', 'description', $mamlNs); Write-Paragraphs $w (Get-Paragraphs $item.Lines); $w.WriteEndElement()
            $w.WriteEndElement()
        }
        $w.WriteEndElement()
    }

    $w.WriteStartElement('maml', 'alertSet', $mamlNs); $w.WriteStartElement('maml', 'alert', $mamlNs)
    Write-Paragraphs $w (Get-Paragraphs $s['NOTES'][0].Lines)
    $w.WriteEndElement(); $w.WriteEndElement()

    $w.WriteStartElement('command', 'examples', $commandNs)
    foreach ($example in $s['EXAMPLES'] | Where-Object Title) {
        $text = $example.Lines -join "`n"
        $code = if ($text -match '(?s)```powershell\n(.*?)\n```') { $Matches[1] } else { '' }
        # HTML comments are marks for the tests (such as 'not run offline'), not text for the reader.
        $remarks = (($text -replace '(?s)```powershell\n.*?\n```', '') -replace '(?s)<!--.*?-->', '').Trim()
        $w.WriteStartElement('command', 'example', $commandNs)
        $w.WriteElementString('maml', 'title', $mamlNs, "-------------------------- $($example.Title) --------------------------")
        $w.WriteElementString('dev', 'code', $devNs, $code)
        $w.WriteStartElement('dev', 'remarks', $devNs); Write-Paragraphs $w @(Get-Paragraphs ($remarks -split "`n")); $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()

    $w.WriteStartElement('command', 'relatedLinks', $commandNs)
    $w.WriteStartElement('maml', 'navigationLink', $mamlNs)
    $w.WriteElementString('maml', 'linkText', $mamlNs, 'Online Version:')
    $w.WriteElementString('maml', 'uri', $mamlNs, $command.HelpUri)
    $w.WriteEndElement()
    # '## RELATED LINKS': one '- name' line per link (a cmdlet or an about_ topic), shown by Get-Help -Full.
    foreach ($line in @($s['RELATED LINKS'] | ForEach-Object { $_.Lines }) | Where-Object { $_ -match '^\s*[-*]\s+(.+)$' }) {
        $text = ($line -replace '^\s*[-*]\s+', '') -replace '\[([^\]]+)\]\([^)]*\)', '$1'
        $w.WriteStartElement('maml', 'navigationLink', $mamlNs)
        $w.WriteElementString('maml', 'linkText', $mamlNs, $text.Trim())
        $w.WriteElementString('maml', 'uri', $mamlNs, '')
        $w.WriteEndElement()
    }
    $w.WriteEndElement()
    $w.WriteEndElement()
}
$w.WriteEndElement()
$w.WriteEndDocument()
$w.Dispose()

# about_ topics (docs/about_*.md): the markdown with heading marks, code fences and comments removed, as pwsh
# shows about files as plain text.
foreach ($topic in Get-ChildItem (Split-Path $DocsPath) -Filter 'about_*.md') {
    $about = (Get-Content -Raw $topic.FullName) -replace '(?s)<!--.*?-->', '' -replace '(?m)^#+ ', '' -replace '(?m)^```\w*\r?\n', ''
    Set-Content -Path (Join-Path $outDir "$($topic.BaseName).help.txt") -Value $about.TrimEnd() -Encoding utf8NoBOM
}
Write-Host "Help written to $outDir"
