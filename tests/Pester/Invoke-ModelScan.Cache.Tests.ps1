# The download cache end to end: Invoke-ModelScan -CacheDirectory against the loopback Cloud Storage fake the xunit
# tests use (compiled here with Add-Type). Bytes transferred are the fake's own count of object bytes it served.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModulePath -Force
    if (-not ('ModelAudit.Engine.Tests.Remote.FakeGcs' -as [type])) {
        $remote = Join-Path $PSScriptRoot '..' 'ModelAudit.Engine.Tests' 'Remote'
        Add-Type -Path (Join-Path $remote 'LoopbackServer.cs'), (Join-Path $remote 'FakeGcs.cs'), (Join-Path $remote 'FakeMlflow.cs'), (Join-Path $remote 'FakeArtifactory.cs') `
            -ReferencedAssemblies System.Net.HttpListener, System.Collections.Concurrent, System.Security.Cryptography, System.Linq, System.Collections, System.Threading.Thread, System.Threading.ThreadPool, System.Threading, System.Runtime, System.Collections.Specialized, System.Net.Sockets, System.Net.Primitives, System.Text.Encoding.Extensions, System.Runtime.Extensions, Microsoft.Win32.Primitives, System.ComponentModel.Primitives, System.Text.Json, System.Memory
    }

    $script:savedHost = $env:STORAGE_EMULATOR_HOST
    $script:savedCache = $env:MODELAUDIT_CACHE_DIR
    $env:MODELAUDIT_CACHE_DIR = $null
    $script:gcs = [ModelAudit.Engine.Tests.Remote.FakeGcs]::new()
    $env:STORAGE_EMULATOR_HOST = $gcs.Endpoint.Replace('http://', '')
    $gcs.AddObject('cache-bucket', 'evil.pkl', (New-PickleBytes))
    $script:cache = Join-Path ([IO.Path]::GetTempPath()) ("modelaudit-pester-cache-" + [guid]::NewGuid().ToString('N'))

    # What a user compares between two runs: each file's outcome, hash and findings.
    function Get-ScanFingerprint($Results) {
        ($Results | ForEach-Object { "$($_.Path) $($_.Outcome) $($_.Sha256) " + (($_.Findings | ForEach-Object { "$($_.RuleId):$($_.Severity)" }) -join ',') }) -join "`n"
    }
}

AfterAll {
    $gcs.Dispose()
    $env:STORAGE_EMULATOR_HOST = $savedHost
    $env:MODELAUDIT_CACHE_DIR = $savedCache
    if (Test-Path $cache) { Remove-Item $cache -Recurse -Force }
}

Describe 'Invoke-ModelScan -CacheDirectory' {
    It 'reads an unchanged object from the cache the second time, with the same results; -NoCache reads the store' {
        $before = $gcs.BytesServed
        $first = Invoke-ModelScan gs://cache-bucket -CacheDirectory $cache -ErrorVariable errs
        $firstBytes = $gcs.BytesServed - $before
        $errs | Should -BeNullOrEmpty
        ($first.Findings | Where-Object RuleId -EQ 'MA1001').Severity | Should -Be ([ModelAudit.Severity]::Critical)
        $firstBytes | Should -Be (New-PickleBytes).Length
        @(Get-ChildItem $cache -File).Count | Should -Be 1

        $before = $gcs.BytesServed
        $second = Invoke-ModelScan gs://cache-bucket -CacheDirectory $cache
        ($gcs.BytesServed - $before) | Should -Be 0
        Get-ScanFingerprint $second | Should -Be (Get-ScanFingerprint $first)

        $before = $gcs.BytesServed
        $uncached = Invoke-ModelScan gs://cache-bucket -CacheDirectory $cache -NoCache
        ($gcs.BytesServed - $before) | Should -Be $firstBytes
        Get-ScanFingerprint $uncached | Should -Be (Get-ScanFingerprint $first)
    }

    It 'uses no cache by default' {
        $before = $gcs.BytesServed
        $null = Invoke-ModelScan gs://cache-bucket
        ($gcs.BytesServed - $before) | Should -Be (New-PickleBytes).Length
    }
}
