BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModulePath -Force
    $targets = @((Join-Path $Fixtures 'benign/torch_state_dict.pt'), (Join-Path $Fixtures 'malicious/numpy_object_array.npy'))
    $results = Invoke-ModelScan $targets
}

Describe 'Export-ModelSbom' {
    It 'writes a CycloneDX 1.6 BOM with a model component per file and the CVE as a vulnerability' {
        $path = Join-Path $TestDrive 'models.cdx.json'
        $file = $results | Export-ModelSbom -Path $path -PassThru
        $file.FullName | Should -Be $path
        $bom = Get-Content -Raw $path | ConvertFrom-Json
        $bom.bomFormat | Should -Be 'CycloneDX'
        $bom.specVersion | Should -Be '1.6'
        $bom.components.type | Should -Be @('machine-learning-model', 'machine-learning-model')
        $bom.components[0].hashes[0].content | Should -Be $results[0].Sha256
        $bom.vulnerabilities.id | Should -Contain 'CVE-2019-6446'
        ($bom.vulnerabilities | Where-Object id -eq 'CVE-2019-6446').affects.ref | Should -Contain $bom.components[1].'bom-ref'
        $bom.metadata.tools.components[0].name | Should -Be 'ModelAudit'
    }

    It 'gives the same serial number for the same scan with -DeterministicSerialNumber' {
        $a = Join-Path $TestDrive 'a.cdx.json'; $b = Join-Path $TestDrive 'b.cdx.json'
        $results | Export-ModelSbom -Path $a -DeterministicSerialNumber
        Invoke-ModelScan $targets | Export-ModelSbom -Path $b -DeterministicSerialNumber
        (Get-Content -Raw $a | ConvertFrom-Json).serialNumber | Should -Be (Get-Content -Raw $b | ConvertFrom-Json).serialNumber
    }

    It 'writes nothing with -WhatIf and refuses to clobber with -NoClobber' {
        $path = Join-Path $TestDrive 'guarded.cdx.json'
        $results | Export-ModelSbom -Path $path -WhatIf
        Test-Path $path | Should -BeFalse
        Set-Content $path 'keep'
        { $results | Export-ModelSbom -Path $path -NoClobber -ErrorAction Stop } |
            Should -Throw -ErrorId 'ReportFileExists,ModelAudit.Commands.ExportModelSbomCommand'
        Get-Content $path | Should -Be 'keep'
    }

    It 'takes -LiteralPath with wildcard characters in the name' {
        $path = Join-Path $TestDrive 'bom[1].json'
        $results | Export-ModelSbom -LiteralPath $path
        Test-Path -LiteralPath $path | Should -BeTrue
    }
}
