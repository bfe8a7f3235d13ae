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
