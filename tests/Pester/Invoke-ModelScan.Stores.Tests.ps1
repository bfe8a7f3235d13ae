# Cloud Storage, MLflow and Artifactory URIs end to end, against the loopback fakes the xunit tests use (compiled
# here with Add-Type). Endpoints and tokens come from each store's environment variables, as users set them; the
# exit-code tests run a child pwsh with its own environment.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModulePath -Force
    if (-not ('ModelAudit.Engine.Tests.Remote.FakeGcs' -as [type])) {
        $remote = Join-Path $PSScriptRoot '..' 'ModelAudit.Engine.Tests' 'Remote'
        Add-Type -Path (Join-Path $remote 'LoopbackServer.cs'), (Join-Path $remote 'FakeGcs.cs'), (Join-Path $remote 'FakeMlflow.cs'), (Join-Path $remote 'FakeArtifactory.cs') `
            -ReferencedAssemblies System.Net.HttpListener, System.Collections.Concurrent, System.Security.Cryptography, System.Linq, System.Collections, System.Threading.Thread, System.Threading.ThreadPool, System.Threading, System.Runtime, System.Collections.Specialized, System.Net.Sockets, System.Net.Primitives, System.Text.Encoding.Extensions, System.Runtime.Extensions, Microsoft.Win32.Primitives, System.ComponentModel.Primitives, System.Text.Json, System.Memory
    }

    function New-SafeTensorsBytes {
        $json = [Text.Encoding]::UTF8.GetBytes('{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}')
        $bytes = [byte[]]::new(8 + $json.Length + 16)
        [BitConverter]::GetBytes([uint64]$json.Length).CopyTo($bytes, 0)
        $json.CopyTo($bytes, 8)
        return , $bytes
    }

    function New-BigBadSafeTensorsBytes([int] $Size) {
        $big = [byte[]]::new($Size)
        [BitConverter]::GetBytes([uint64]1 -shl 40).CopyTo($big, 0)
        [Text.Encoding]::UTF8.GetBytes('{"w":{"dtype":"F32",').CopyTo($big, 8)
        return , $big
    }

    # Runs Invoke-ModelScan in a child pwsh with the given environment; returns its exit code and all its output.
    function Invoke-ScanInChild([hashtable] $Environment, [string] $Target) {
        $setup = ($Environment.GetEnumerator() | ForEach-Object { "`$env:$($_.Key)='$($_.Value)'" }) -join '; '
        Invoke-ChildPwsh "$setup; Import-Module '$ModulePath'; Invoke-ModelScan '$Target' -EnableExit | Format-List Path, Outcome, Findings | Out-String -Width 400"
    }

    $script:bigSize = 64MB
    $script:saved = @{}
    foreach ($name in 'STORAGE_EMULATOR_HOST', 'GOOGLE_OAUTH_ACCESS_TOKEN', 'MLFLOW_TRACKING_URI', 'MLFLOW_TRACKING_TOKEN', 'JFROG_ACCESS_TOKEN') {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
    }
}

AfterAll {
    foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
}

Describe 'Invoke-ModelScan with gs:// URIs' {
    BeforeAll {
        $script:gcs = [ModelAudit.Engine.Tests.Remote.FakeGcs]::new()
        $script:gcsToken = 'ya29.PesterTokenNeverShown9876'
        $gcs.RequiredAuthorization = "Bearer $gcsToken"
        $gcs.RedirectDownloads = $true
        $gcs.PageSize = 1
        $gcs.AddObject('models-bucket', 'fraud/model.safetensors', (New-SafeTensorsBytes))
        $gcs.AddObject('models-bucket', 'fraud/evil.pkl', (New-PickleBytes))
        $gcs.AddObject('models-bucket', 'clean/model.safetensors', (New-SafeTensorsBytes))
        $gcs.AddObject('models-bucket', 'big/big.safetensors', (New-BigBadSafeTensorsBytes $bigSize))
        $script:gcsEnv = @{ STORAGE_EMULATOR_HOST = $gcs.Endpoint.Replace('http://', ''); GOOGLE_OAUTH_ACCESS_TOKEN = $gcsToken }
        foreach ($entry in $gcsEnv.GetEnumerator()) { [Environment]::SetEnvironmentVariable($entry.Key, $entry.Value) }
    }
    AfterAll { $gcs.Dispose() }

    It 'scans a prefix page by page: the malicious pickle is Critical, the SafeTensors file Clean, the token never shown' {
        $results = Invoke-ModelScan gs://models-bucket/fraud/ -ErrorVariable errs
        $errs | Should -BeNullOrEmpty
        $results.Path | Should -Be @('gs://models-bucket/fraud/evil.pkl', 'gs://models-bucket/fraud/model.safetensors')
        ($results[0].Findings | Where-Object RuleId -EQ 'MA1001').Severity | Should -Be ([ModelAudit.Severity]::Critical)
        $results[1].Outcome | Should -Be 'Clean'
        $gcs.CdnAuthorizations.Count | Should -Be 0
        ($results | Format-List * | Out-String) | Should -Not -Match $gcsToken
    }

    It 'sets the exit code: 1 for the malicious prefix, 0 for the clean one' {
        $run = Invoke-ScanInChild $gcsEnv 'gs://models-bucket/fraud'
        $run.ExitCode | Should -Be 1
        $run.Output | Should -Match 'MA1001'
        $run.Output | Should -Not -Match $gcsToken
        (Invoke-ScanInChild $gcsEnv 'gs://models-bucket/clean').ExitCode | Should -Be 0
    }

    It 'rejects a large object with a malformed header by range reads' {
        $before = $gcs.BytesServed
        $result = Invoke-ModelScan gs://models-bucket/big -SkipHash
        $result.Findings.RuleId | Should -Contain 'MA6010'
        ($gcs.BytesServed - $before) | Should -BeLessThan ($bigSize / 16)
    }

    It 'reports a rejected token as ModelRemoteAccessDenied without showing it, exit code 2' {
        $results = Invoke-ModelScan gs://models-bucket/fraud -Credential ([pscredential]::new('token', (ConvertTo-SecureString 'ya29.Wrong' -AsPlainText -Force))) -ErrorVariable errs -ErrorAction SilentlyContinue
        $results | Should -BeNullOrEmpty
        $errs.FullyQualifiedErrorId | Should -BeLike 'ModelRemoteAccessDenied*'
        ($errs | Out-String) | Should -Match '403'
        ($errs | Out-String) | Should -Not -Match 'ya29'
        # Without a token (the child inherits this process's variables: clear it) the listing is refused: nothing scanned.
        (Invoke-ScanInChild @{ STORAGE_EMULATOR_HOST = $gcsEnv.STORAGE_EMULATOR_HOST; GOOGLE_OAUTH_ACCESS_TOKEN = '' } 'gs://models-bucket/fraud').ExitCode | Should -Be 2
    }
}

Describe 'Invoke-ModelScan with models:/ and runs:/ URIs' {
    BeforeAll {
        $script:mlflow = [ModelAudit.Engine.Tests.Remote.FakeMlflow]::new()
        $script:mlflowToken = 'mlflow-PesterTokenNeverShown9876'
        $mlflow.RequiredAuthorization = "Bearer $mlflowToken"
        foreach ($run in 'run1', 'run2') {
            $mlflow.AddRun($run, $run -eq 'run2')
            $mlflow.AddArtifact($run, 'model/model.safetensors', (New-SafeTensorsBytes))
        }
        $mlflow.AddArtifact('run2', 'model/data/model.pkl', (New-PickleBytes))
        $mlflow.AddModelVersion('Fraud', 1, 'Staging', [string[]]@('clean'), 'run1', 'runs:/run1/model')
        $mlflow.AddModelVersion('Fraud', 2, 'Production', [string[]]@('champion'), 'run2', $mlflow.RootUri('run2') + '/model')
        $script:mlflowEnv = @{ MLFLOW_TRACKING_URI = $mlflow.Endpoint; MLFLOW_TRACKING_TOKEN = $mlflowToken }
        foreach ($entry in $mlflowEnv.GetEnumerator()) { [Environment]::SetEnvironmentVariable($entry.Key, $entry.Value) }
    }
    AfterAll { $mlflow.Dispose() }

    It 'resolves a stage to its version: the malicious pickle is Critical, the SafeTensors file Clean' {
        $results = Invoke-ModelScan models:/Fraud/Production -ErrorVariable errs
        $errs | Should -BeNullOrEmpty
        $results.Path | Should -Be @('models:/Fraud/2/data/model.pkl', 'models:/Fraud/2/model.safetensors')
        ($results[0].Findings | Where-Object RuleId -EQ 'MA1001').Severity | Should -Be ([ModelAudit.Severity]::Critical)
        $results[1].Outcome | Should -Be 'Clean'
        ($results | Format-List * | Out-String) | Should -Not -Match $mlflowToken
    }

    It 'sets the exit code through aliases and runs: 1 for the champion, 0 for the clean version' {
        $run = Invoke-ScanInChild $mlflowEnv 'models:/Fraud@champion'
        $run.ExitCode | Should -Be 1
        $run.Output | Should -Not -Match $mlflowToken
        (Invoke-ScanInChild $mlflowEnv 'runs:/run1/model').ExitCode | Should -Be 0
    }

    It 'reports a model that is not there as ModelRemoteNotFound and goes on' {
        $results = Invoke-ModelScan -Uri models:/Nothing/1, models:/Fraud@clean -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.FullyQualifiedErrorId | Should -BeLike 'ModelRemoteNotFound*'
        ($errs | Out-String) | Should -Match '404'
        $results.Path | Should -Be 'models:/Fraud/1/model.safetensors'
    }
}

Describe 'Invoke-ModelScan with Artifactory URLs' {
    BeforeAll {
        $script:artifactory = [ModelAudit.Engine.Tests.Remote.FakeArtifactory]::new()
        $script:jfrogToken = 'jfrog-PesterTokenNeverShown9876'
        $artifactory.RequiredAuthorization = "Bearer $jfrogToken"
        $artifactory.AddFile('ml-local', 'fraud/v1/model.safetensors', (New-SafeTensorsBytes), [NullString]::Value)
        $artifactory.AddFile('ml-local', 'fraud/v1/evil.pkl', (New-PickleBytes), [NullString]::Value)
        $artifactory.AddFile('ml-local', 'fraud/v1/tampered.safetensors', (New-SafeTensorsBytes), ('c' * 64))
        $artifactory.AddFile('ml-local', 'clean/model.safetensors', (New-SafeTensorsBytes), [NullString]::Value)
        $script:jfrogEnv = @{ JFROG_ACCESS_TOKEN = $jfrogToken }
        [Environment]::SetEnvironmentVariable('JFROG_ACCESS_TOKEN', $jfrogToken)
    }
    AfterAll { $artifactory.Dispose() }

    It 'scans a folder: the malicious pickle and a published sha256 mismatch are Critical, the clean file Clean' {
        $base = "$($artifactory.BaseUrl)/ml-local/fraud/v1"
        $results = Invoke-ModelScan $base -ErrorVariable errs
        $errs | Should -BeNullOrEmpty
        $results.Path | Should -Be @("$base/evil.pkl", "$base/model.safetensors", "$base/tampered.safetensors")
        ($results[0].Findings | Where-Object RuleId -EQ 'MA1001').Severity | Should -Be ([ModelAudit.Severity]::Critical)
        $results[1].Outcome | Should -Be 'Clean'
        ($results[2].Findings | Where-Object RuleId -EQ 'MA6340').Severity | Should -Be ([ModelAudit.Severity]::Critical)
        ($results | Format-List * | Out-String) | Should -Not -Match $jfrogToken
    }

    It 'takes URLs from the pipeline and sets the exit code: 1 for the folder, 0 for the clean file' {
        $run = Invoke-ChildPwsh "`$env:JFROG_ACCESS_TOKEN='$jfrogToken'; Import-Module '$ModulePath'; '$($artifactory.BaseUrl)/ml-local/fraud/v1' | Invoke-ModelScan -EnableExit | Out-Null"
        $run.ExitCode | Should -Be 1
        $run.Output | Should -Not -Match $jfrogToken
        (Invoke-ScanInChild $jfrogEnv "$($artifactory.BaseUrl)/ml-local/clean/model.safetensors").ExitCode | Should -Be 0
    }

    It 'reports a path that is not there as ModelRemoteNotFound' {
        Invoke-ModelScan "$($artifactory.BaseUrl)/ml-local/missing" -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs.FullyQualifiedErrorId | Should -BeLike 'ModelRemoteNotFound*'
        ($errs | Out-String) | Should -Match '404'
    }
}
