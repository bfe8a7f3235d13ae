BeforeDiscovery {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModulePath -Force
    $script:Cmdlets = (Get-Command -Module ModelAudit).Name
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModulePath -Force
}

Describe 'Help for <_>' -ForEach $Cmdlets {
    BeforeAll {
        $help = Get-Help $_ -Full
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        $parameters = (Get-Command $_).Parameters.Keys | Where-Object { $_ -notin $common }
    }

    It 'has a synopsis and a description that are not generated' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match '^\s*\S+ \[' # an auto-generated synopsis is the syntax line
        ($help.Description.Text -join ' ') | Should -Not -BeNullOrEmpty
    }

    It 'has at least three examples, each with code' {
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 3
        $help.Examples.Example | ForEach-Object { $_.Code | Should -Not -BeNullOrEmpty }
    }

    It 'names its inputs, outputs and related commands' {
        @($help.inputTypes.inputType).Count | Should -BeGreaterThan 0
        @($help.returnValues.returnValue).Count | Should -BeGreaterThan 0
        $related = @($help.relatedLinks.navigationLink.linkText | Where-Object { $_ -and $_ -ne 'Online Version:' })
        $related.Count | Should -BeGreaterThan 0
        foreach ($name in $related) {
            ($name -like 'about_*' -or (Get-Command $name -Module ModelAudit -ErrorAction SilentlyContinue)) | Should -BeTrue -Because "$name is linked"
        }
    }

    It 'documents every parameter' {
        foreach ($name in $parameters) {
            $p = $help.Parameters.Parameter | Where-Object Name -eq $name
            ($p.Description.Text -join ' ') | Should -Not -BeNullOrEmpty -Because "-$name needs a description in docs/cmdlets"
        }
    }
}

Describe 'about_ModelAudit topics' {
    It '<Topic> is installed with the module and shows <Heading>' -ForEach @(
        @{ Topic = 'about_ModelAudit'; Heading = 'POLICY FILES' }
        @{ Topic = 'about_ModelAudit_Policy'; Heading = 'EXAMPLE POLICY FILE' }
        @{ Topic = 'about_ModelAudit_Formats'; Heading = 'RISK LEVELS' }
    ) {
        $text = Get-Help $Topic | Out-String
        $text | Should -Match $Heading
        # Plain text, as about topics are shown: no Markdown heading marks or code fences.
        $text | Should -Not -Match '(?m)^(#+ |```)'
    }

    It 'about_ModelAudit_Formats names every format the scanners recognise' {
        $text = Get-Content -Raw (Join-Path $PSScriptRoot '..' '..' 'docs' 'about_ModelAudit_Formats.md')
        $missing = (Get-ModelScanner).Format | Where-Object { $text -notmatch "\b$_\b" }
        $missing | Should -BeNullOrEmpty
    }
}

Describe 'Parameter defaults in help' {
    It 'shows <Parameter> of <Command> as <Expected>' -ForEach @(
        @{ Command = 'Invoke-ModelScan'; Parameter = 'MaxFileSize'; Expected = 'no limit' }
        @{ Command = 'Invoke-ModelScan'; Parameter = 'TimeoutSec'; Expected = '0, no limit' }
        @{ Command = 'Invoke-ModelScan'; Parameter = 'MinimumSeverity'; Expected = 'Info' }
        @{ Command = 'Test-ModelFile'; Parameter = 'MinimumSeverity'; Expected = 'Warning' }
        @{ Command = 'Invoke-ModelScan'; Parameter = 'Recurse'; Expected = 'False' }
    ) {
        (Get-Help $Command -Parameter $Parameter).defaultValue | Should -Be $Expected
    }
}

Describe 'Get-ModelFinding parameter sets' {
    It 'offers no scan options with -InputObject, where they would do nothing' {
        $set = (Get-Command Get-ModelFinding).ParameterSets | Where-Object Name -eq 'InputObject'
        foreach ($name in 'Recurse', 'Include', 'Exclude', 'MaxFileSize', 'TimeoutSec', 'SkipHash', 'ThrottleLimit', 'Policy') {
            $set.Parameters.Name | Should -Not -Contain $name
        }
        $result = Invoke-ModelScan (Join-Path $Fixtures 'benign/torch_state_dict.pt')
        { Get-ModelFinding -InputObject $result -Recurse } | Should -Throw -ErrorId 'AmbiguousParameterSet*'
    }
}
