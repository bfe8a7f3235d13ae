BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModulePath -Force
    $folder = Join-Path $TestDrive 'models'
    New-Item -ItemType Directory -Force $folder | Out-Null
    Copy-Item (Join-Path $Fixtures 'benign/torch_state_dict.pt') (Join-Path $folder 'good.pt')
    Copy-Item (Join-Path $Fixtures 'malicious/os_system_p4.pkl') (Join-Path $folder 'bad.pkl')
    $bad = Join-Path $folder 'bad.pkl'
    $results = Invoke-ModelScan $folder

    function Remove-Volatile([string] $Text) {
        $Text -replace '"(createdUtc|endTimeUtc|timestamp)": "[^"]*"', '' -replace '"durationMs": [0-9.E+-]+', ''
    }
}

Describe 'Export-ModelScanReport' {
    Context 'Writing files' {
        It 'writes a JSON report with the results, findings and exit code' {
            $path = Join-Path $TestDrive 'report.json'
            $file = $results | Export-ModelScanReport -Format Json -Path $path -PassThru
            $file | Should -BeOfType ([System.IO.FileInfo])
            $report = Get-Content -Raw $path | ConvertFrom-Json
            $report.schemaVersion | Should -Be '1.1'
            $report.exitCode | Should -Be 1
            $report.results.path | Should -Be $results.Path
            ($report.results | Where-Object path -eq $bad).findings[0].ruleId | Should -Be 'MA1001'
        }

        It 'writes SARIF with relative artifact URIs under -BasePath' {
            $path = Join-Path $TestDrive 'report.sarif'
            $results | Export-ModelScanReport -Format Sarif -Path $path -BasePath $folder
            $sarif = Get-Content -Raw $path | ConvertFrom-Json
            $sarif.version | Should -Be '2.1.0'
            $sarif.runs[0].artifacts.location.uri | Should -Be @('bad.pkl', 'good.pt')
            $sarif.runs[0].results[0].level | Should -Be 'error'
            $sarif.runs[0].invocations[0].exitCode | Should -Be 1
        }

        It 'writes nothing with -WhatIf' {
            $path = Join-Path $TestDrive 'whatif.json'
            $results | Export-ModelScanReport -Format Json -Path $path -WhatIf
            Test-Path $path | Should -BeFalse
        }

        It 'refuses to overwrite with -NoClobber and leaves the file as it was' {
            $path = Join-Path $TestDrive 'kept.json'
            Set-Content $path 'old'
            { $results | Export-ModelScanReport -Format Json -Path $path -NoClobber -ErrorAction Stop } |
                Should -Throw -ErrorId 'ReportFileExists,ModelAudit.Commands.ExportModelScanReportCommand'
            Get-Content $path | Should -Be 'old'
        }

        It 'overwrites an existing file by default, and a read-only one only with -Force' {
            $path = Join-Path $TestDrive 'over.json'
            Set-Content $path 'old'
            $results | Export-ModelScanReport -Format Json -Path $path
            (Get-Content -Raw $path | ConvertFrom-Json).schemaVersion | Should -Be '1.1'
            Set-ItemProperty $path -Name IsReadOnly -Value $true
            { $results | Export-ModelScanReport -Format Json -Path $path -ErrorAction Stop } |
                Should -Throw -ErrorId 'ReportFileReadOnly,ModelAudit.Commands.ExportModelScanReportCommand'
            $results | Export-ModelScanReport -Format Sarif -Path $path -Force
            (Get-Content -Raw $path | ConvertFrom-Json).version | Should -Be '2.1.0'
        }

        It 'names a missing folder in a clear error' {
            { $results | Export-ModelScanReport -Format Json -Path (Join-Path $TestDrive 'no/such/report.json') -ErrorAction Stop } |
                Should -Throw -ErrorId 'ReportFolderNotFound,ModelAudit.Commands.ExportModelScanReportCommand'
        }

        It 'leaves no temporary file behind' {
            $dir = New-Item -ItemType Directory (Join-Path $TestDrive 'clean-dir')
            $results | Export-ModelScanReport -Format Json -Path (Join-Path $dir 'r.json')
            (Get-ChildItem $dir -Force).Name | Should -Be @('r.json')
        }

        It 'rejects input that is not a scan result' {
            'text' | Export-ModelScanReport -Format Json -AsString -ErrorVariable ev -ErrorAction SilentlyContinue | Out-Null
            $ev[0].FullyQualifiedErrorId | Should -Be 'ModelReportInputInvalid,ModelAudit.Commands.ExportModelScanReportCommand'
        }
    }

    Context 'Determinism' {
        It 'gives the same bytes for the same scan apart from timestamps and durations, whatever -ThrottleLimit' {
            $one = Invoke-ModelScan $folder -ThrottleLimit 1 | Export-ModelScanReport -Format Sarif -AsString
            $four = Invoke-ModelScan $folder -ThrottleLimit 4 | Export-ModelScanReport -Format Sarif -AsString
            Remove-Volatile $one | Should -BeExactly (Remove-Volatile $four)
        }
    }

    Context 'Suppressions and severity overrides' {
        BeforeAll {
            $policy = Join-Path $TestDrive 'policy.psd1'
            Set-Content $policy @"
@{
    SeverityOverrides = @{ MA1008 = 'Info' }
    Suppressions = @(
        @{ RuleId = 'MA1001'; Path = '*bad.pkl'; Justification = 'Known test payload' }
        @{ RuleId = 'MA1001'; Path = '*'; Justification = 'Too broad, and expired'; Expires = '2020-01-01' }
    )
}
"@
        }

        It 'keeps a suppressed finding, marked with its justification, in results and reports' {
            $result = Invoke-ModelScan $bad -Policy $policy -WarningAction SilentlyContinue
            $result.Outcome | Should -Be 'Clean'
            $finding = $result.Findings | Where-Object RuleId -eq 'MA1001'
            $finding.IsSuppressed | Should -BeTrue
            $finding.Suppression.Justification | Should -Be 'Known test payload'
            $sarif = $result | Export-ModelScanReport -Format Sarif -AsString | ConvertFrom-Json
            $sarif.runs[0].results[0].suppressions[0].justification | Should -Be 'Known test payload'
            $json = $result | Export-ModelScanReport -Format Json -AsString | ConvertFrom-Json
            $json.results[0].findings[0].suppression.justification | Should -Be 'Known test payload'
            $json.exitCode | Should -Be 0
        }

        It 'records the options and the policy, by its hash, that judged the results' {
            $result = Invoke-ModelScan $bad -Policy $policy -MaxFileSize 1MB -WarningAction SilentlyContinue
            $json = $result | Export-ModelScanReport -Format Json -AsString | ConvertFrom-Json
            $json.settings.Policy | Should -Be (Resolve-Path $policy).ProviderPath
            $json.settings.'Policy.Sha256' | Should -Be (Get-FileHash -Algorithm SHA256 $policy).Hash.ToLowerInvariant()
            $json.settings.'Policy.Suppressions' | Should -Match '^[1-9][0-9]* active'
            $json.settings.MaxFileSize | Should -Be '1048576'
            $json.settings.Recurse | Should -Be 'False'
            $result.Settings['Policy.Sha256'] | Should -Be $json.settings.'Policy.Sha256'
        }

        It 'warns about an expired suppression, which no longer suppresses' {
            $expiredOnly = Join-Path $TestDrive 'expired.psd1'
            Set-Content $expiredOnly "@{ Suppressions = @( @{ RuleId = 'MA1001'; Path = '*'; Justification = 'old'; Expires = '2020-01-01' } ) }"
            $result = Invoke-ModelScan $bad -Policy $expiredOnly -WarningVariable warnings -WarningAction SilentlyContinue
            $warnings.Count | Should -Be 1
            "$($warnings[0])" | Should -Match 'MA1001.*expired on 2020-01-01'
            $result.Outcome | Should -Be 'Issues'
            ($result.Findings | Where-Object RuleId -eq 'MA1001').IsSuppressed | Should -BeFalse
        }

        It 'rejects a suppression without a justification, naming the line' {
            $broken = Join-Path $TestDrive 'broken.psd1'
            Set-Content $broken "@{`n Suppressions = @( @{ RuleId = 'MA1001'; Path = '*' } ) }"
            { Invoke-ModelScan $bad -Policy $broken -ErrorAction Stop } | Should -Throw '*broken.psd1:2*Justification*'
        }

        It 'applies severity overrides in the reports' {
            $override = Join-Path $TestDrive 'override.psd1'
            Set-Content $override "@{ SeverityOverrides = @{ MA1001 = 'Warning' } }"
            $sarif = Invoke-ModelScan $bad -Policy $override | Export-ModelScanReport -Format Sarif -AsString | ConvertFrom-Json
            ($sarif.runs[0].results | Where-Object ruleId -eq 'MA1001').level | Should -Be 'warning'
        }
    }

    Context 'Baselines' {
        It 'reports only new findings against an earlier JSON report, and the exit code follows them' {
            $baseline = Join-Path $TestDrive 'baseline.json'
            Invoke-ModelScan $folder | Export-ModelScanReport -Format Json -Path $baseline
            $again = Invoke-ModelScan $folder -Baseline $baseline
            ($again.Findings | Where-Object { -not $_.IsSuppressed }) | Should -BeNullOrEmpty
            ($again.Findings | Where-Object RuleId -eq 'MA1001').Suppression.Source | Should -Match '^baseline baseline.json'

            Copy-Item (Join-Path $Fixtures 'malicious/os_system_p2.pkl') (Join-Path $folder 'new.pkl')
            try {
                $script = "Import-Module '$ModulePath'; Invoke-ModelScan '$folder' -Baseline '$baseline' -EnableExit | Out-Null"
                (Invoke-ChildPwsh $script).ExitCode | Should -Be 1
                Remove-Item (Join-Path $folder 'new.pkl')
                (Invoke-ChildPwsh $script).ExitCode | Should -Be 0
            }
            finally {
                Remove-Item (Join-Path $folder 'new.pkl') -ErrorAction Ignore
            }
        }

        It 'stops on a baseline that is not a ModelAudit report' {
            $notReport = Join-Path $TestDrive 'other.json'
            Set-Content $notReport '{"hello": 1}'
            { Invoke-ModelScan $bad -Baseline $notReport -ErrorAction Stop } |
                Should -Throw -ErrorId 'ModelBaselineInvalid,ModelAudit.Commands.InvokeModelScanCommand'
        }
    }

    Context 'Exit codes end to end' {
        It 'exits <Code> for <Name>' -ForEach @(
            @{ Name = 'a malicious file'; Target = 'malicious/os_system_p4.pkl'; Policy = $null; Code = 1 }
            @{ Name = 'a benign file'; Target = 'benign/torch_state_dict.pt'; Policy = $null; Code = 0 }
            @{ Name = 'a malicious file whose finding is suppressed'; Target = 'malicious/os_system_p4.pkl'; Policy = "@{ Suppressions = @( @{ RuleId = 'MA1001'; Path = '*'; Justification = 'accepted' } ) }"; Code = 0 }
        ) {
            $policyArgument = ''
            if ($Policy) {
                $policyFile = Join-Path $TestDrive "exit-$Code.psd1"
                Set-Content $policyFile $Policy
                $policyArgument = "-Policy '$policyFile'"
            }

            $script = "Import-Module '$ModulePath'; Invoke-ModelScan '$(Join-Path $Fixtures $Target)' $policyArgument -EnableExit | Out-Null"
            (Invoke-ChildPwsh $script).ExitCode | Should -Be $Code
        }
    }

    Context 'Results from other processes' {
        It 'exports results received from Start-Job like the live ones' {
            $job = Start-Job -ScriptBlock { param($module, $path) Import-Module $module; Invoke-ModelScan $path } -ArgumentList $ModulePath, $folder
            $remote = $job | Receive-Job -Wait -AutoRemoveJob
            $remote[0].PSObject.TypeNames[0] | Should -Be 'Deserialized.ModelAudit.ModelScanResult'
            $fromJob = $remote | Export-ModelScanReport -Format Json -AsString
            $live = Invoke-ModelScan $folder | Export-ModelScanReport -Format Json -AsString
            Remove-Volatile $fromJob | Should -BeExactly (Remove-Volatile $live)
        }

        It 'round-trips Export-Clixml/Import-Clixml and formats the deserialized results with the default view' {
            $xml = Join-Path $TestDrive 'results.xml'
            $results | Export-Clixml $xml
            $imported = Import-Clixml $xml
            ($imported | Format-Table | Out-String) | Should -Match 'Outcome\s+Format\s+Crit\s+Warn\s+Info'
            ($imported[0].Findings | Format-Table | Out-String) | Should -Match 'MA1001'
            $sarif = $imported | Export-ModelScanReport -Format Sarif -AsString | ConvertFrom-Json
            $sarif.runs[0].results[0].partialFingerprints.'modelAuditFinding/v1' |
                Should -Be ($results | Export-ModelScanReport -Format Sarif -AsString | ConvertFrom-Json).runs[0].results[0].partialFingerprints.'modelAuditFinding/v1'
        }
    }
}
