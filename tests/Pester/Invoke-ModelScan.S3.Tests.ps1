# s3:// end to end against a real S3 server: moto (python3 -m moto.server) on a free loopback port, started and
# stopped here. The bucket holds a malicious pickle, a clean SafeTensors file and a zip with a pickle inside, under a
# prefix of more than 1,000 objects, so the listing takes two pages and the three sort onto the second.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModulePath -Force

    function New-SafeTensorsBytes([int] $DataLength = 16) {
        $json = [Text.Encoding]::UTF8.GetBytes('{"w":{"dtype":"F32","shape":[' + ($DataLength / 4) + '],"data_offsets":[0,' + $DataLength + ']}}')
        $bytes = [byte[]]::new(8 + $json.Length + $DataLength)
        [BitConverter]::GetBytes([uint64]$json.Length).CopyTo($bytes, 0)
        $json.CopyTo($bytes, 8)
        return , $bytes
    }

    function New-ZipBytes([string] $Name, [byte[]] $Data) {
        $buffer = [IO.MemoryStream]::new()
        $zip = [IO.Compression.ZipArchive]::new($buffer, [IO.Compression.ZipArchiveMode]::Create, $true)
        $entry = $zip.CreateEntry($Name)
        $stream = $entry.Open(); $stream.Write($Data, 0, $Data.Length); $stream.Dispose()
        $zip.Dispose()
        return , $buffer.ToArray()
    }

    $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
    $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
    $script:endpoint = "http://127.0.0.1:$port"
    $script:motoLog = Join-Path ([IO.Path]::GetTempPath()) "moto-pester-$port.log"
    $script:moto = Start-Process python3 -ArgumentList '-m', 'moto.server', '-H', '127.0.0.1', '-p', $port -PassThru `
        -RedirectStandardOutput $motoLog -RedirectStandardError "$motoLog.err"
    $http = [Net.Http.HttpClient]::new()
    $up = $false
    foreach ($try in 1..300) {
        if ($moto.HasExited) { break }
        try { if ($http.GetAsync("$endpoint/moto-api/").GetAwaiter().GetResult().IsSuccessStatusCode) { $up = $true; break } } catch { }
        Start-Sleep -Milliseconds 100
    }
    if (-not $up) { throw "moto did not start at $endpoint (python3 -m moto.server): $(Get-Content -Raw "$motoLog.err" -ErrorAction SilentlyContinue)" }

    # moto takes unsigned requests until auth is switched on, so the setup needs no SDK.
    function Put-S3([string] $Path, [byte[]] $Data = [byte[]]::new(0)) {
        $content = [Net.Http.ByteArrayContent]::new($Data)
        $content.Headers.ContentType = 'application/octet-stream'
        $response = $http.PutAsync("$endpoint/$Path", $content).GetAwaiter().GetResult()
        if (-not $response.IsSuccessStatusCode) { throw "PUT $Path answered $([int]$response.StatusCode)" }
    }
    Put-S3 'models'
    foreach ($i in 0..1000) { Put-S3 ('models/team/a-{0:D4}.json' -f $i) ([Text.Encoding]::UTF8.GetBytes('{}')) }
    Put-S3 'models/team/evil.pkl' (New-PickleBytes)
    Put-S3 'models/team/model.safetensors' (New-SafeTensorsBytes)
    Put-S3 'models/team/bundle.zip' (New-ZipBytes 'inner/data.pkl' (New-PickleBytes))

    $script:secret = 'PesterS3SecretNeverShown/abcdef0123456789'
    $script:saved = @{}
    $script:awsEnvironment = @{
        AWS_ENDPOINT_URL = $endpoint; AWS_ACCESS_KEY_ID = 'AKIAPESTERS3TEST0001'; AWS_SECRET_ACCESS_KEY = $secret
        AWS_REGION = 'us-east-1'; AWS_EC2_METADATA_DISABLED = 'true'
    }
    foreach ($name in $awsEnvironment.Keys) {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
        [Environment]::SetEnvironmentVariable($name, $awsEnvironment[$name])
    }
    $script:only = '*.pkl', '*.safetensors', '*.zip'
}

AfterAll {
    foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
    if ($moto -and -not $moto.HasExited) { $moto.Kill($true); $moto.WaitForExit(5000) | Out-Null }
    Remove-Item $motoLog, "$motoLog.err" -ErrorAction SilentlyContinue
}

Describe 'Invoke-ModelScan with s3:// URIs' {
    It 'scans a prefix whose listing pages: the pickle and the zip are Critical, the SafeTensors file Clean, with ETags' {
        $results = Invoke-ModelScan s3://models/team/ -Include $only -ErrorVariable errs
        $errs | Should -BeNullOrEmpty
        $results.Path | Should -Be @('s3://models/team/bundle.zip', 's3://models/team/evil.pkl', 's3://models/team/model.safetensors')
        $bundle, $evil, $clean = $results
        $evil.Outcome | Should -Be 'Issues'
        ($evil.Findings | Where-Object RuleId -EQ 'MA1001').Severity | Should -Be ([ModelAudit.Severity]::Critical)
        $bundle.Outcome | Should -Be 'Issues'
        ($bundle.Findings | Where-Object { $_.RuleId -eq 'MA1001' -and $_.Member -eq 'inner/data.pkl' }) | Should -Not -BeNullOrEmpty
        $clean.Outcome | Should -Be 'Clean'
        $clean.Format | Should -Be 'SafeTensors'
        $clean.ETag | Should -Match '^[0-9a-f]{32}$'
        ($clean | Format-List | Out-String) | Should -Match "ETag\s+: $($clean.ETag)"
    }

    It 'sets exit code 1 with -EnableExit, and no output stream carries the secret key' {
        $env = ($awsEnvironment.GetEnumerator() | ForEach-Object { "`$env:$($_.Key)='$($_.Value)'" }) -join '; '
        $run = Invoke-ChildPwsh "$env; Import-Module '$ModulePath'; Invoke-ModelScan s3://models/team/ -Include $($only -join ',') -Verbose -EnableExit *>&1 | ForEach-Object { if (`$_ -is [ModelAudit.ModelScanResult]) { `$_ | Format-List *; `$_.Findings | Format-List * } else { `$_ } } | Out-String -Width 300; Invoke-ModelScan s3://no-such-bucket/x/ -EnableExit *>&1 | Out-String -Width 300"
        $run.ExitCode | Should -Be 1
        $run.Output | Should -Match 'MA1001'
        $run.Output | Should -Match 'NoSuchBucket'
        $run.Output | Should -Not -Match ([regex]::Escape($secret))
        $run.Output | Should -Not -Match ([regex]::Escape($secret.Substring(0, 12)))
    }

    It 'reports a missing bucket and a missing key as ModelRemoteNotFound and scans the rest' {
        $results = Invoke-ModelScan s3://no-such-bucket/models/, s3://models/team/absent.pkl, s3://models/team/evil.pkl -ErrorVariable errs -ErrorAction SilentlyContinue
        @($errs).Count | Should -Be 2
        $errs.FullyQualifiedErrorId | ForEach-Object { $_ | Should -BeLike 'ModelRemoteNotFound*' }
        $errs.CategoryInfo.Category | Should -Be @('ObjectNotFound', 'ObjectNotFound')
        $results.Path | Should -Be 's3://models/team/evil.pkl'
        ($errs | Out-String) | Should -Not -Match 'Cannot find drive'
    }

    It 'takes -EndpointUrl and -Credential over the environment, and never shows the credential' {
        $credential = [pscredential]::new('AKIAEXPLICIT00000001', (ConvertTo-SecureString 'ExplicitSecretNeverShown/0987' -AsPlainText -Force))
        $saved = $env:AWS_ENDPOINT_URL
        try {
            $env:AWS_ENDPOINT_URL = 'http://127.0.0.1:9'
            $result = Invoke-ModelScan -Uri s3://models/team/model.safetensors -EndpointUrl $endpoint -Credential $credential -Verbose 4>&1 3>&1 2>&1
        }
        finally { $env:AWS_ENDPOINT_URL = $saved }
        ($result | Where-Object { $_ -is [ModelAudit.ModelScanResult] }).Outcome | Should -Be 'Clean'
        ($result | Out-String) | Should -Not -Match 'ExplicitSecretNeverShown'
    }

    It 'reports an AWS profile that is not there as ModelRemoteSettingsInvalid' {
        Invoke-ModelScan s3://models/team/ -ProfileName no-such-profile-here -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs.FullyQualifiedErrorId | Should -BeLike 'ModelRemoteSettingsInvalid*'
    }

    It 'caps what one object may download with -MaxDownloadSize: Inconclusive, exit code 2' {
        Put-S3 'capped'
        Put-S3 'capped/w.safetensors' (New-SafeTensorsBytes (4MB))
        $result = Invoke-ModelScan s3://capped -MaxDownloadSize 1MB
        $result.Outcome | Should -Be 'Inconclusive'
        $result.Findings.RuleId | Should -Contain 'MA9002'
        $run = Invoke-ChildPwsh "`$env:AWS_ACCESS_KEY_ID='x'; `$env:AWS_SECRET_ACCESS_KEY='y'; Import-Module '$ModulePath'; Invoke-ModelScan s3://capped -EndpointUrl $endpoint -MaxDownloadSize 1MB -EnableExit | Out-Null"
        $run.ExitCode | Should -Be 2
    }
}
