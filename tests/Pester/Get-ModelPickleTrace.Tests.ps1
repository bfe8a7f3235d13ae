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
