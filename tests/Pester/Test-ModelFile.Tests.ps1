BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModulePath -Force
    $clean = Join-Path $Fixtures 'benign/torch_state_dict.pt'
    $bad = Join-Path $Fixtures 'malicious/os_system_p4.pkl'
}

Describe 'Test-ModelFile' {
    It 'returns $true for a clean file and $false for a malicious one' {
        Test-ModelFile $clean | Should -BeTrue
        Test-ModelFile $bad | Should -BeFalse
    }

    It 'returns one boolean per input, in order' {
        Test-ModelFile -Path $clean, $bad, $clean | Should -Be @($true, $false, $true)
    }

    It 'takes FileInfo from the pipeline' {
        Get-Item $clean, $bad | Test-ModelFile | Should -Be @($true, $false)
    }

    It 'judges a folder by every file in it' {
        Test-ModelFile (Join-Path $Fixtures 'benign') | Should -BeTrue
        Test-ModelFile (Join-Path $Fixtures 'malicious') | Should -BeFalse
    }

    It 'lets lower severities pass with -MinimumSeverity Critical' {
        $warnOnly = Join-Path $TestDrive 'call.pkl'
        [IO.File]::WriteAllBytes($warnOnly, (New-PickleBytes -Module 'mylib.models' -Name 'build'))
        Test-ModelFile $warnOnly | Should -BeFalse
        Test-ModelFile $warnOnly -MinimumSeverity Critical | Should -BeTrue
    }

    It 'fails inconclusive files' {
        Test-ModelFile $clean -MaxFileSize 10 | Should -BeFalse
    }

    It 'works as an if gate' {
        $gate = if (Test-ModelFile $bad) { 'load' } else { 'block' }
        $gate | Should -Be 'block'
    }

    It 'writes an error and no verdict for a missing path' {
        $out = Test-ModelFile (Join-Path $TestDrive 'missing.pt') -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -Be 'ModelPathNotFound,ModelAudit.Commands.TestModelFileCommand'
    }
}
