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

    It 'scans every format it recognises (a recognised-only format would be listed with IsScanned false)' {
        @(Get-ModelScanner | Where-Object { -not $_.IsScanned }).Format | Should -BeNullOrEmpty
        (Get-ModelScanner -Format Hdf5).IsScanned | Should -BeTrue
    }

    It 'filters with wildcards and -ScannedOnly' {
        # The flavours a scanner refines a format into (PyTorchZip, PyTorchLegacy) are listed as formats of their own.
        (Get-ModelScanner -Format 'Py*', 'Zip').Format | Should -Be @('PyTorchLegacy', 'PyTorchLegacyTar', 'PyTorchZip', 'Zip')
        (Get-ModelScanner -Format 'PyTorchZip').Scanner | Should -Be 'Zip'
        (Get-ModelScanner -ScannedOnly).IsScanned | Sort-Object -Unique | Should -BeTrue
    }
}

Describe 'Tab completion from the catalog and the registry' {
    It 'completes <Line>' -ForEach @(
        @{ Line = 'Get-ModelScanner -Format PyTorchZ'; Expected = 'PyTorchZip' }
        @{ Line = 'Get-ModelScanRule -Id MA100'; Expected = 'MA1001' }
        @{ Line = 'Get-ModelFinding -RuleId MA600'; Expected = 'MA6002' }
    ) {
        $found = (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches
        $found.CompletionText | Should -Contain $Expected
        $found.CompletionText | ForEach-Object { $_ | Should -BeLike "$($Line.Split(' ')[-1])*" }
    }

    It 'offers every format results can carry' {
        $formats = (TabExpansion2 -inputScript 'Get-ModelScanner -Format ' -cursorColumn 25).CompletionMatches.CompletionText
        $formats | Should -Be (Get-ModelScanner).Format
        (Invoke-ModelScan (Join-Path $Fixtures 'benign/torch_state_dict.pt')).Format | Should -BeIn $formats
    }
}
