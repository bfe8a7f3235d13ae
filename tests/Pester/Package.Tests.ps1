BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:Repository = Join-Path $PSScriptRoot '..' '..' | Resolve-Path | Select-Object -ExpandProperty Path
}

# The module as a user gets it: packed by the same script build.ps1 -Task Package runs, served from a local folder
# repository, installed by PSResourceGet, imported by name. PSResourceGet keeps its repository list under XDG_DATA_HOME
# and installs CurrentUser modules under HOME, so pointing both at TestDrive keeps the machine's own settings untouched.
Describe 'ModelAudit package' {
    BeforeAll {
        $script:Feed = Join-Path $TestDrive 'feed'
        # Where both the XDG default and HOME lead, whichever PSResourceGet consults.
        $script:Data = Join-Path $TestDrive '.local' 'share'
        New-Item -ItemType Directory -Force $Feed, $Data | Out-Null
        $script:SavedDataHome = $env:XDG_DATA_HOME
        $script:SavedHome = $env:HOME
        $env:XDG_DATA_HOME = $Data
        $env:HOME = $TestDrive
        $moduleDirectory = Split-Path $ModulePath
        # No -ErrorAction SilentlyContinue and no Skip: a missing PSResourceGet must fail this test, not hide it.
        $script:Install = Invoke-ChildPwsh @"
`$ErrorActionPreference = 'Stop'
`$package = & '$(Join-Path $Repository 'tools/New-ModulePackage.ps1')' -ModuleDirectory '$moduleDirectory' -Destination '$Feed'
"package=`$package"
Register-PSResourceRepository -Name ModelAuditTest -Uri '$Feed' -Trusted
Install-PSResource -Name ModelAudit -Repository ModelAuditTest -Scope CurrentUser -TrustRepository -Quiet
`$installed = Get-InstalledPSResource -Name ModelAudit -Scope CurrentUser
"installed=`$(`$installed.Version) at `$(`$installed.InstalledLocation)"
Unregister-PSResourceRepository -Name ModelAuditTest
"@
        $script:Modules = Join-Path $Data 'powershell' 'Modules'
    }

    AfterAll {
        $env:XDG_DATA_HOME = $SavedDataHome
        $env:HOME = $SavedHome
    }

    It 'packs, registers a folder repository and installs from it' {
        $Install.ExitCode | Should -Be 0 -Because $Install.Output
        $version = (Import-PowerShellDataFile $ModulePath).ModuleVersion
        $Install.Output | Should -Match ([regex]::Escape("ModelAudit.$version.nupkg"))
        $Install.Output | Should -Match ([regex]::Escape("installed=$version"))
        # Installed into TestDrive, never into the real user's module folder.
        $Install.Output | Should -Match ('installed=.* at ' + [regex]::Escape($Modules))
        Test-Path (Join-Path $Modules 'ModelAudit' $version 'ModelAudit.psd1') | Should -BeTrue
    }

    It 'carries the license, the help and the private dependencies' {
        $version = (Import-PowerShellDataFile $ModulePath).ModuleVersion
        $installed = Join-Path $Modules 'ModelAudit' $version
        Get-Content -Raw (Join-Path $installed 'LICENSE') | Should -Match 'MIT License'
        Test-Path (Join-Path $installed 'en-US' 'ModelAudit.dll-Help.xml') | Should -BeTrue
        Test-Path (Join-Path $installed 'Dependencies' 'ModelAudit.Engine.dll') | Should -BeTrue
    }

    It 'imports by name from a fresh PSModulePath and scans <Case> with exit code <Expected>' -ForEach @(
        @{ Case = 'a benign file'; Target = 'benign/torch_state_dict.pt'; Expected = 0 }
        @{ Case = 'a malicious file'; Target = 'malicious/os_system_p4.pkl'; Expected = 1 }
    ) {
        $saved = $env:PSModulePath
        try {
            # Only the fresh folder: the module under test cannot come from anywhere else.
            $env:PSModulePath = $Modules
            $child = Invoke-ChildPwsh @"
Import-Module ModelAudit -ErrorAction Stop
"base=`$((Get-Module ModelAudit).ModuleBase)"
Invoke-ModelScan -LiteralPath '$(Join-Path $Fixtures $Target)' -EnableExit | ForEach-Object { "outcome=`$(`$_.Outcome)" }
"@
        } finally {
            $env:PSModulePath = $saved
        }
        $child.ExitCode | Should -Be $Expected -Because $child.Output
        $child.Output | Should -Match ('base=' + [regex]::Escape($Modules))
        $child.Output | Should -Match $(if ($Expected -eq 0) { 'outcome=Clean' } else { 'outcome=Issues' })
    }

    It 'declares what the PowerShell Gallery shows' {
        $manifest = Import-PowerShellDataFile $ModulePath
        $manifest.CompatiblePSEditions | Should -Be @('Core')
        $manifest.PowerShellVersion | Should -Be '7.4'
        $data = $manifest.PrivateData.PSData
        $data.Tags | Should -Contain 'Security'
        $data.ProjectUri | Should -Match '^https://'
        $data.LicenseUri | Should -Match '^https://.*LICENSE$'
        $data.ReleaseNotes | Should -Not -BeNullOrEmpty
        $data.RequireLicenseAcceptance | Should -BeFalse
    }

    It 'takes its version from Directory.Build.props alone' {
        $props = [xml](Get-Content -Raw (Join-Path $Repository 'Directory.Build.props'))
        $version = ($props.Project.PropertyGroup | Where-Object { $_.ModuleVersion } | Select-Object -First 1).ModuleVersion
        (Import-PowerShellDataFile $ModulePath).ModuleVersion | Should -Be $version
        Get-Content -Raw (Join-Path $Repository 'ModelAudit.psd1') | Should -Match "ModuleVersion\s*=\s*'\{\{ModuleVersion\}\}'"
    }
}
