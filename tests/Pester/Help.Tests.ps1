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

    It 'has examples with code' {
        @($help.Examples.Example).Count | Should -BeGreaterThan 0
        $help.Examples.Example | ForEach-Object { $_.Code | Should -Not -BeNullOrEmpty }
    }

    It 'documents every parameter' {
        foreach ($name in $parameters) {
            $p = $help.Parameters.Parameter | Where-Object Name -eq $name
            ($p.Description.Text -join ' ') | Should -Not -BeNullOrEmpty -Because "-$name needs a description in docs/cmdlets"
        }
    }
}

Describe 'about_ModelAudit' {
    It 'is installed with the module' {
        (Get-Help about_ModelAudit | Out-String) | Should -Match 'POLICY FILES'
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
