BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModulePath -Force
}

Describe 'Get-ModelPickleTrace' {
    It 'shows each import and call in order, with the reconstructed call' {
        $trace = Get-ModelPickleTrace (Join-Path $Fixtures 'malicious/os_system_p2.pkl')
        $trace.Action | Should -Be @('Import', 'Call')
        $trace[1].Detail | Should -Be "posix.system('echo modelaudit-fixture')"
        $trace[1].Grade | Should -Be 'Dangerous (Execution)'
        $trace | ForEach-Object { $_ | Should -BeOfType ([ModelAudit.PickleTraceEntry]) }
    }

    It 'traces pickles inside archives with their member path' {
        $trace = Get-ModelPickleTrace (Join-Path $Fixtures 'benign/torch_state_dict.pt') -Action Import
        $trace.Member | Sort-Object -Unique | Should -Be 'torch_state_dict/data.pkl'
        $trace.Target | Should -Contain 'torch._utils._rebuild_tensor_v2'
    }

    It 'takes FileInfo from the pipeline' {
        (Get-Item (Join-Path $Fixtures 'malicious/os_system_p0.pkl') | Get-ModelPickleTrace).Count | Should -Be 2
    }
}

Describe 'Get-ModelPickleTrace errors' {
    It 'reports an unreadable file as Invoke-ModelScan does' -Skip:($IsWindows -or (& id -u) -eq '0') {
        $locked = Join-Path $TestDrive 'locked.pkl'
        [IO.File]::WriteAllBytes($locked, (New-PickleBytes))
        & chmod 000 $locked
        try {
            $null = Get-ModelPickleTrace $locked -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -Be 'ModelFileUnreadable,ModelAudit.Commands.GetModelPickleTraceCommand'
            $null = Invoke-ModelScan $locked -ErrorVariable scanErr -ErrorAction SilentlyContinue
            $scanErr[0].FullyQualifiedErrorId | Should -Be 'ModelFileUnreadable,ModelAudit.Commands.InvokeModelScanCommand'
        } finally { & chmod 644 $locked }
    }

    It 'reports a dangling link as a missing path, and one inside a folder as a warning' {
        $dir = Join-Path $TestDrive 'dangling'
        New-Item -ItemType Directory -Force $dir | Out-Null
        $link = Join-Path $dir 'model.pkl'
        $null = [IO.File]::CreateSymbolicLink($link, (Join-Path $TestDrive 'no-such-blob'))
        $null = Get-ModelPickleTrace -LiteralPath $link -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'ModelPathNotFound,ModelAudit.Commands.GetModelPickleTraceCommand'
        $null = Get-ModelPickleTrace $dir -WarningVariable warnings -WarningAction SilentlyContinue
        ($warnings.Message -join "`n") | Should -Match 'model\.pkl.*does not exist'
    }
}
