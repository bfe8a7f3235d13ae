BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModulePath -Force
    $results = Invoke-ModelScan (Join-Path $Fixtures 'malicious/os_system_p4.pkl')
}

Describe 'ConvertTo-ModelScanReport' {
    It 'outputs one string per format, the document Export-ModelScanReport writes' {
        foreach ($format in 'Json', 'Sarif', 'CycloneDx') {
            $text = $results | ConvertTo-ModelScanReport -Format $format -DeterministicSerialNumber
            @($text).Count | Should -Be 1
            $text | Should -BeOfType ([string])
            $text | ConvertFrom-Json | Should -Not -BeNullOrEmpty
        }

        $path = Join-Path $TestDrive 'r.sarif'
        $results | Export-ModelScanReport -Format Sarif -Path $path
        $written = [IO.File]::ReadAllText($path) -replace '"endTimeUtc": "[^"]*"', ''
        ($results | ConvertTo-ModelScanReport -Format Sarif) -replace '"endTimeUtc": "[^"]*"', '' | Should -BeExactly $written
    }

    It 'defaults to JSON' {
        ($results | ConvertTo-ModelScanReport | ConvertFrom-Json).schemaVersion | Should -Be '1.1'
    }
}
