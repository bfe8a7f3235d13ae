BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModulePath -Force
}

Describe 'Get-ModelScanner' {
    It 'lists formats with their scanners' {
        $all = Get-ModelScanner
        $all | ForEach-Object { $_ | Should -BeOfType ([ModelAudit.ModelScannerInfo]) }
        ($all | Where-Object Format -eq 'Pickle').Scanner | Should -Be 'Pickle'
        ($all | Where-Object Format -eq 'SafeTensors').IsScanned | Should -BeTrue
        ($all | Where-Object Format -eq 'Gguf').IsScanned | Should -BeTrue
    }

    It 'lists recognised-only formats as not scanned' {
        (Get-ModelScanner -Format Hdf5).IsScanned | Should -BeFalse
    }

    It 'filters with wildcards and -ScannedOnly' {
        # The flavours a scanner refines a format into (PyTorchZip, PyTorchLegacy) are listed as formats of their own.
        (Get-ModelScanner -Format 'Py*', 'Zip').Format | Should -Be @('PyTorchLegacy', 'PyTorchLegacyTar', 'PyTorchZip', 'Zip')
        (Get-ModelScanner -Format 'PyTorchZip').Scanner | Should -Be 'Zip'
        (Get-ModelScanner -ScannedOnly).IsScanned | Sort-Object -Unique | Should -BeTrue
    }
}
