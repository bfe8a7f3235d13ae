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

    It 'returns one Boolean for all inputs: $false when any fails' {
        $answer = Test-ModelFile -Path $clean, $bad, $clean
        $answer | Should -HaveCount 1
        $answer | Should -BeFalse
        Test-ModelFile -Path $clean, $clean | Should -BeExactly $true
    }

    It 'gates an if on several inputs, a wildcard and the pipeline' {
        $dir = Join-Path $TestDrive 'gate'
        New-Item -ItemType Directory -Force $dir | Out-Null
        Copy-Item $clean (Join-Path $dir 'a.pt'); Copy-Item $bad (Join-Path $dir 'evil.pkl')
        Test-ModelFile (Join-Path $dir 'a.pt') | Should -BeTrue
        $blocked = @()
        if (-not (Test-ModelFile (Join-Path $dir 'a.pt'), (Join-Path $dir 'evil.pkl'))) { $blocked += 'list' }
        if (-not (Test-ModelFile (Join-Path $dir '*.p*'))) { $blocked += 'wildcard' }
        if (-not (Get-ChildItem $dir | Test-ModelFile)) { $blocked += 'pipeline' }
        $blocked | Should -Be @('list', 'wildcard', 'pipeline')
    }

    It 'takes FileInfo from the pipeline' {
        Get-Item $clean, $clean | Test-ModelFile | Should -BeExactly $true
        Get-Item $clean, $bad | Test-ModelFile | Should -BeExactly $false
    }

    It 'warns that sub-folders are not part of the answer without -Recurse' {
        $dir = Join-Path $TestDrive 'nested'
        New-Item -ItemType Directory -Force (Join-Path $dir 'sub') | Out-Null
        Copy-Item $clean (Join-Path $dir 'top.pt'); Copy-Item $bad (Join-Path $dir 'sub/evil.pkl')
        Test-ModelFile $dir -WarningVariable warnings -WarningAction SilentlyContinue | Should -BeTrue
        ($warnings.Message -join "`n") | Should -Match 'sub-folder.*-Recurse'
        Test-ModelFile $dir -Recurse | Should -BeFalse
    }

    It 'fails a Git LFS pointer at any -MinimumSeverity: its weights were never scanned' {
        $pointer = Join-Path $TestDrive 'pytorch_model.bin'
        Set-Content -Path $pointer -NoNewline -Value "version https://git-lfs.github.com/spec/v1`noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393`nsize 12345`n"
        Test-ModelFile $pointer -MinimumSeverity Critical | Should -BeFalse
        $result = Invoke-ModelScan $pointer -MinimumSeverity Critical
        $result.CoverageComplete | Should -BeFalse
        $result.Findings.RuleId | Should -Contain 'MA6002'
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

    It 'writes an error and $false for a missing path, even beside a clean one' {
        $out = Test-ModelFile $clean, (Join-Path $TestDrive 'missing.pt') -ErrorVariable err -ErrorAction SilentlyContinue
        $out | Should -BeExactly $false
        $err[0].FullyQualifiedErrorId | Should -Be 'ModelPathNotFound,ModelAudit.Commands.TestModelFileCommand'
    }
}
