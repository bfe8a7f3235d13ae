# Remote URIs end to end: a loopback Hugging Face Hub (the FakeHub the xunit tests use, compiled here with Add-Type)
# and URIs of stores not scanned yet, which must never reach PowerShell's provider resolution (gs://, models:/ and
# Artifactory URLs are tested end to end in Invoke-ModelScan.Stores.Tests.ps1).
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModulePath -Force
    if (-not ('ModelAudit.Engine.Tests.Remote.FakeHub' -as [type])) {
        Add-Type -Path (Join-Path $PSScriptRoot '..' 'ModelAudit.Engine.Tests' 'Remote' 'FakeHub.cs') -ReferencedAssemblies System.Net.HttpListener, System.Collections.Concurrent, System.Security.Cryptography, System.Linq, System.Collections, System.Threading.Thread, System.Threading.ThreadPool, System.Threading, System.Runtime, System.Collections.Specialized, System.Net.Sockets, System.Net.Primitives, System.Text.Encoding.Extensions, System.Runtime.Extensions, Microsoft.Win32.Primitives, System.ComponentModel.Primitives
    }

    function New-SafeTensorsBytes([int] $DataLength = 16) {
        $json = [Text.Encoding]::UTF8.GetBytes('{"w":{"dtype":"F32","shape":[' + ($DataLength / 4) + '],"data_offsets":[0,' + $DataLength + ']}}')
        $bytes = [byte[]]::new(8 + $json.Length + $DataLength)
        [BitConverter]::GetBytes([uint64]$json.Length).CopyTo($bytes, 0)
        $json.CopyTo($bytes, 8)
        return , $bytes
    }

    $script:hub = [ModelAudit.Engine.Tests.Remote.FakeHub]::new()
    $script:token = 'hf_PesterTokenNeverShown9876'
    $hub.RequiredToken = $token
    $hub.AddFile('models', 'org/model', 'model.safetensors', (New-SafeTensorsBytes), $true, [NullString]::Value)
    $hub.AddFile('models', 'org/model', 'evil.pkl', (New-PickleBytes), $true, [NullString]::Value)
    $hub.AddFile('models', 'org/model', 'tampered.safetensors', (New-SafeTensorsBytes), $true, ('c' * 64))
    $script:bigSize = 64MB
    $big = [byte[]]::new($bigSize)
    [BitConverter]::GetBytes([uint64]1 -shl 40).CopyTo($big, 0)
    [Text.Encoding]::UTF8.GetBytes('{"w":{"dtype":"F32",').CopyTo($big, 8)
    $hub.AddFile('models', 'org/big', 'big.safetensors', $big, $true, [NullString]::Value)

    $script:savedEndpoint = $env:HF_ENDPOINT
    $script:savedToken = $env:HF_TOKEN
    $env:HF_ENDPOINT = $hub.Endpoint
    $env:HF_TOKEN = $token
}

AfterAll {
    $env:HF_ENDPOINT = $savedEndpoint
    $env:HF_TOKEN = $savedToken
    $hub.Dispose()
}

Describe 'Invoke-ModelScan with remote URIs' {
    It 'scans a Hub repository: a malicious pickle and an LFS sha256 mismatch are Critical, the clean file Clean' {
        $results = Invoke-ModelScan hf://org/model -ErrorVariable errs 6>&1 5>&1 4>&1 3>&1
        $errs | Should -BeNullOrEmpty
        $byPath = @{}
        $results | Where-Object { $_ -is [ModelAudit.ModelScanResult] } | ForEach-Object { $byPath[$_.Path] = $_ }
        $byPath.Keys | Sort-Object | Should -Be @('hf://org/model@main/evil.pkl', 'hf://org/model@main/model.safetensors', 'hf://org/model@main/tampered.safetensors')
        $evil = $byPath['hf://org/model@main/evil.pkl']
        $evil.Outcome | Should -Be 'Issues'
        ($evil.Findings | Where-Object RuleId -EQ 'MA1001').Severity | Should -Be ([ModelAudit.Severity]::Critical)
        $tampered = $byPath['hf://org/model@main/tampered.safetensors']
        ($tampered.Findings | Where-Object RuleId -EQ 'MA6340').Severity | Should -Be ([ModelAudit.Severity]::Critical)
        $byPath['hf://org/model@main/model.safetensors'].Outcome | Should -Be 'Clean'
        $hub.CdnAuthorizations.Count | Should -Be 0
        ($results | Out-String) + ($errs | Out-String) | Should -Not -Match $token
    }

    It 'takes Hub URLs through -Uri and the pipeline, with the exit code' {
        $run = Invoke-ChildPwsh "`$env:HF_ENDPOINT='$($hub.Endpoint)'; `$env:HF_TOKEN='$token'; Import-Module '$ModulePath'; '$($hub.Endpoint)/org/model/blob/main/evil.pkl' | Invoke-ModelScan -EnableExit | Out-Null"
        $run.ExitCode | Should -Be 1
        $run.Output | Should -Not -Match $token
        (Invoke-ModelScan -Uri "https://huggingface.co/org/model/resolve/main/model.safetensors").Outcome | Should -Be 'Clean'
    }

    It 'rejects a large file with a malformed SafeTensors header by range reads' {
        $before = $hub.BytesServed
        $result = Invoke-ModelScan hf://org/big -SkipHash
        $result.Outcome | Should -Be 'Issues'
        $result.Findings.RuleId | Should -Contain 'MA6010'
        ($hub.BytesServed - $before) | Should -BeLessThan ($bigSize / 16)
    }

    It 'reports a repository that is not there as a non-terminating error and goes on' {
        $results = Invoke-ModelScan hf://org/missing, hf://org/model/model.safetensors -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.FullyQualifiedErrorId | Should -BeLike 'ModelRemoteUnreadable*'
        $results.Path | Should -Be 'hf://org/model@main/model.safetensors'
    }

    It 'recognises store URIs before drive resolution: <Uri>' -ForEach @(
        @{ Uri = 'https://example.com/models/model.pkl' }
    ) {
        Invoke-ModelScan $Uri -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs.FullyQualifiedErrorId | Should -BeLike 'ModelUriNotSupported*'
        ($errs | Out-String) | Should -Not -Match 'Cannot find drive'
    }
}
