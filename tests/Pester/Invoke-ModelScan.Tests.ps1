BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModulePath -Force
    $benign = Join-Path $Fixtures 'benign/torch_state_dict.pt'
    $malicious = Join-Path $Fixtures 'malicious/os_system_p4.pkl'
    $folder = Join-Path $TestDrive 'models'
    New-Item -ItemType Directory -Force (Join-Path $folder 'sub') | Out-Null
    Copy-Item $benign (Join-Path $folder 'good.pt')
    Copy-Item $malicious (Join-Path $folder 'bad.pkl')
    Copy-Item $malicious (Join-Path $folder 'sub/deep.pkl')
    Set-Content -Path (Join-Path $folder 'README.md') -Value '# model'
}

Describe 'Invoke-ModelScan' {
    Context 'Path parameter set' {
        It 'scans a file and returns a typed ModelScanResult' {
            $result = Invoke-ModelScan -Path $benign
            $result | Should -BeOfType ([ModelAudit.ModelScanResult])
            $result.Outcome | Should -Be 'Clean'
            $result.Format | Should -Be 'PyTorchZip'
            $result.Sha256 | Should -Be (Get-FileHash $benign -Algorithm SHA256).Hash.ToLowerInvariant()
        }

        It 'finds code execution in a malicious pickle' {
            $result = Invoke-ModelScan $malicious
            $result.Outcome | Should -Be 'Issues'
            $result.Findings[0].RuleId | Should -Be 'MA1001'
            $result.Findings[0].Severity | Should -Be ([ModelAudit.Severity]::Critical)
        }

        It 'expands wildcards' {
            $results = Invoke-ModelScan -Path (Join-Path $folder '*.p*')
            $results.Path | Split-Path -Leaf | Should -Be @('bad.pkl', 'good.pt')
        }

        It 'scans a folder, and its sub-folders with -Recurse' {
            (Invoke-ModelScan $folder).Count | Should -Be 3
            (Invoke-ModelScan $folder -Recurse).Count | Should -Be 4
        }

        It 'filters with -Include and -Exclude' {
            (Invoke-ModelScan $folder -Recurse -Include '*.pkl').Path | Split-Path -Leaf | Should -Be @('bad.pkl', 'deep.pkl')
            (Invoke-ModelScan $folder -Recurse -Exclude '*.pkl', '*.md').Path | Split-Path -Leaf | Should -Be 'good.pt'
        }

        It 'accepts path strings from the pipeline' {
            ($benign, $malicious | Invoke-ModelScan).Outcome | Should -Be @('Clean', 'Issues')
        }

        It 'reports a missing path as a non-terminating error with a stable id' {
            $out = Invoke-ModelScan -Path (Join-Path $TestDrive 'nope.pt') -ErrorVariable err -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -Be 'ModelPathNotFound,ModelAudit.Commands.InvokeModelScanCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }

        It 'writes no error for a wildcard that matches nothing' {
            Invoke-ModelScan -Path (Join-Path $TestDrive '*.nothing') -ErrorVariable err -ErrorAction SilentlyContinue
            $err | Should -BeNullOrEmpty
        }

        It 'keeps scanning the other paths after a bad one' {
            $out = Invoke-ModelScan -Path (Join-Path $TestDrive 'nope.pt'), $benign -ErrorAction SilentlyContinue
            $out.Outcome | Should -Be 'Clean'
        }

        It 'rejects a path that is not on the file system' {
            Invoke-ModelScan -Path 'Env:PATH' -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -Be 'ModelPathNotFileSystem,ModelAudit.Commands.InvokeModelScanCommand'
        }
    }

    Context 'files that are not regular files' {
        It 'reports a FIFO in a folder without opening it, and scans the rest' {
            $dir = Join-Path $TestDrive 'fifo'
            New-Item -ItemType Directory -Force $dir | Out-Null
            Copy-Item $malicious (Join-Path $dir 'bad.pkl')
            & mkfifo (Join-Path $dir 'pipe.pkl')
            $results = Invoke-ModelScan $dir -ErrorVariable err -ErrorAction SilentlyContinue -TimeoutSec 30
            $err[0].FullyQualifiedErrorId | Should -Be 'ModelFileNotRegular,ModelAudit.Commands.InvokeModelScanCommand'
            ($results | Where-Object Path -like '*pipe.pkl').Outcome | Should -Be 'Error'
            ($results | Where-Object Path -like '*bad.pkl').Outcome | Should -Be 'Issues'
        }

        It 'never calls a device clean' {
            Test-ModelFile /dev/zero -ErrorAction SilentlyContinue | Should -BeFalse
        }
    }

    Context 'LiteralPath parameter set' {
        It 'takes names with wildcard characters literally' {
            $odd = Join-Path $TestDrive 'model[1].pkl'
            [IO.File]::WriteAllBytes($odd, [IO.File]::ReadAllBytes($malicious))
            (Invoke-ModelScan -LiteralPath $odd).Outcome | Should -Be 'Issues'
        }

        It 'binds FileInfo from Get-ChildItem through PSPath' {
            $results = Get-ChildItem $folder -File -Recurse -Filter *.pkl | Invoke-ModelScan
            $results.Count | Should -Be 2
            $results.Outcome | Should -Be @('Issues', 'Issues')
        }

        It 'reports a missing literal path' {
            Invoke-ModelScan -LiteralPath (Join-Path $TestDrive 'nope[1].pt') -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -Be 'ModelPathNotFound,ModelAudit.Commands.InvokeModelScanCommand'
        }
    }

    Context 'options' {
        It 'drops findings below -MinimumSeverity' {
            $info = Invoke-ModelScan (Join-Path $Fixtures 'benign/torch_full_custom_module.pt')
            $info.Findings.Count | Should -Be 1
            (Invoke-ModelScan (Join-Path $Fixtures 'benign/torch_full_custom_module.pt') -MinimumSeverity Warning).Findings.Count | Should -Be 0
        }

        It 'keeps the outcome when -MinimumSeverity hides the findings that make it' {
            $path = Join-Path $TestDrive 'factory.pkl'
            [IO.File]::WriteAllBytes($path, (New-PickleBytes -Module 'somepackage.models' -Name 'factory' -Argument 'x'))
            $result = Invoke-ModelScan $path -MinimumSeverity Critical
            $result.Outcome | Should -Be 'Issues'
            $result.Findings.Count | Should -Be 0
        }

        It 'skips the hash with -SkipHash' {
            (Invoke-ModelScan $benign -SkipHash).Sha256 | Should -BeNullOrEmpty
        }

        It 'reports files over -MaxFileSize as Inconclusive' {
            $result = Invoke-ModelScan $benign -MaxFileSize 100
            $result.Outcome | Should -Be 'Inconclusive'
            $result.Findings.RuleId | Should -Be 'MA9005'
        }

        It 'returns the same results in the same order at any -ThrottleLimit' {
            $one = Invoke-ModelScan (Join-Path $Fixtures 'benign') -ThrottleLimit 1 | ForEach-Object { "$($_.Path) $($_.Outcome) $($_.Sha256)" }
            $four = Invoke-ModelScan (Join-Path $Fixtures 'benign') -ThrottleLimit 4 | ForEach-Object { "$($_.Path) $($_.Outcome) $($_.Sha256)" }
            $four | Should -Be $one
        }

        It 'validates -ThrottleLimit' {
            { Invoke-ModelScan $benign -ThrottleLimit 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,ModelAudit.Commands.InvokeModelScanCommand'
        }

        It 'is read-only: no -WhatIf' {
            (Get-Command Invoke-ModelScan).Parameters.ContainsKey('WhatIf') | Should -BeFalse
        }
    }

    Context '-Policy' {
        BeforeAll {
            $custom = Join-Path $TestDrive 'custom.pkl'
            [IO.File]::WriteAllBytes($custom, (New-PickleBytes -Module 'acme.models' -Name 'build'))
        }

        It 'denies extra globals, allows the organisation''s own, and overrides severities' {
            (Invoke-ModelScan $custom).Findings.Severity | Should -Be 'Warning'
            $deny = Join-Path $TestDrive 'deny.psd1'
            Set-Content $deny "@{ DeniedGlobals = @('acme.models.build') }"
            (Invoke-ModelScan $custom -Policy $deny).Findings.Severity | Should -Be 'Critical'
            $allow = Join-Path $TestDrive 'allow.psd1'
            Set-Content $allow "@{ AllowedGlobals = 'acme.models.build' }"
            (Invoke-ModelScan $custom -Policy $allow).Outcome | Should -Be 'Clean'
            $override = Join-Path $TestDrive 'override.psd1'
            Set-Content $override "@{ SeverityOverrides = @{ MA1008 = 'Info' } }"
            (Invoke-ModelScan $custom -Policy $override).Outcome | Should -Be 'Clean'
        }

        It 'sets limits' {
            $limits = Join-Path $TestDrive 'limits.psd1'
            Set-Content $limits "@{`n  Limits = @{ MaxNestingDepth = 1 }`n}"
            (Invoke-ModelScan (Join-Path $Fixtures 'malicious/torch_zip_os_system.7z') -Policy $limits).Findings.RuleId | Should -Contain 'MA9007'
        }

        It 'stops with an error naming the key and line when the policy is malformed' -ForEach @(
            @{ Text = "@{`n  Limits = @{ MaxDepth = 3 }`n}"; Pattern = ':2: .Limits.*MaxDepth' }
            @{ Text = "@{`n`n  Colour = 'blue'`n}"; Pattern = ':3: .Colour. is not a policy key' }
            @{ Text = "@{ DeniedGlobals = @('system') }"; Pattern = 'not an exact .module\.name' }
            @{ Text = "@{ SeverityOverrides = @{ MA1001 = 'Low' } }"; Pattern = 'Critical, Warning or Info' }
            @{ Text = "@{ AllowedGlobals = (Get-Date) }"; Pattern = 'constant value' }
        ) {
            $bad = Join-Path $TestDrive 'bad.psd1'
            Set-Content $bad $Text
            { Invoke-ModelScan $custom -Policy $bad } | Should -Throw -ErrorId 'ModelPolicyInvalid,ModelAudit.Commands.InvokeModelScanCommand'
            try { Invoke-ModelScan $custom -Policy $bad } catch { $_.Exception.Message | Should -Match $Pattern }
        }
    }

    Context 'output formatting' {
        It 'shows results as a table with outcome, format and counts' {
            $text = Invoke-ModelScan $malicious | Out-String -Width 200
            $text | Should -Match 'Outcome\s+Format\s+Critical\s+Warning\s+Info\s+Path'
            $text | Should -Match 'Issues\s+Pickle\s+1\s+0\s+0'
        }

        It 'lists every field with Format-List' {
            $text = Invoke-ModelScan $malicious | Format-List | Out-String -Width 200
            foreach ($field in 'Path', 'Format', 'Outcome', 'Size', 'Sha256', 'Duration', 'Findings') { $text | Should -Match "$field\s+:" }
        }

        It 'pipes results on to file cmdlets through the PSPath alias' {
            $copy = Join-Path $TestDrive 'copy.pt'
            Invoke-ModelScan $benign | Copy-Item -Destination $copy
            Test-Path $copy | Should -BeTrue
        }
    }

    Context '-EnableExit' {
        It 'exits <Expected> for <Case>' -ForEach @(
            @{ Case = 'a clean file'; Target = 'benign/torch_state_dict.pt'; Expected = 0 }
            @{ Case = 'a malicious file'; Target = 'malicious/os_system_p4.pkl'; Expected = 1 }
            @{ Case = 'an empty folder'; Target = 'EMPTY'; Expected = 2 }
            @{ Case = 'an inconclusive file'; Target = 'LIMIT'; Expected = 2 }
        ) {
            $empty = Join-Path $TestDrive 'empty'
            New-Item -ItemType Directory -Force $empty | Out-Null
            $path = if ($Target -eq 'EMPTY') { $empty } elseif ($Target -eq 'LIMIT') { Join-Path $Fixtures 'benign/torch_state_dict.pt' } else { Join-Path $Fixtures $Target }
            $extra = if ($Target -eq 'LIMIT') { '-MaxFileSize 10' } else { '' }
            $child = Invoke-ChildPwsh "Import-Module '$ModulePath'; Invoke-ModelScan -LiteralPath '$path' $extra -EnableExit | Out-Null; 'after'"
            $child.ExitCode | Should -Be $Expected
        }

        # Issue 11: one benign file of every tensor and runtime format scans Clean, so the folder exits 0.
        It 'exits 0 for a folder of benign tensor-format files' {
            $formats = Join-Path $TestDrive 'tensor-formats'
            New-Item -ItemType Directory -Force $formats | Out-Null
            foreach ($name in 'gguf_tiny_llama.gguf', 'ggjt_v3_tiny.bin', 'numpy_float.npy', 'numpy_structured_subarray.npy') {
                Copy-Item (Join-Path $Fixtures "benign/$name") $formats
            }

            $child = Invoke-ChildPwsh "Import-Module '$ModulePath'; Invoke-ModelScan -LiteralPath '$formats' -Recurse -EnableExit | Out-Null"
            $child.ExitCode | Should -Be 0
        }
    }
}

Describe 'Invoke-ModelScan over runtime and tree-model formats' {
    BeforeAll { . (Join-Path $PSScriptRoot 'TestHelpers.ps1') }

    It 'exits 0 for a folder with one benign file of each format' {
        $folder = Join-Path $TestDrive 'runtime'
        New-Item -ItemType Directory -Force $folder | Out-Null
        Get-ChildItem (Join-Path $Fixtures 'benign') -Filter 'runtime_*' | Copy-Item -Destination $folder
        (Get-ChildItem $folder).Count | Should -Be 7
        $child = Invoke-ChildPwsh "Import-Module '$ModulePath'; Invoke-ModelScan -LiteralPath '$folder' -EnableExit | Out-Null"
        $child.ExitCode | Should -Be 0
    }
}

Describe 'Invoke-ModelScan in a hosted runspace' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        $many = Join-Path $TestDrive 'many'
        New-Item -ItemType Directory -Force $many | Out-Null
        $source = Get-ChildItem (Join-Path $Fixtures 'benign') -File
        foreach ($i in 1..40) { foreach ($f in $source) { Copy-Item $f.FullName (Join-Path $many "$i-$($f.Name)") } }
    }

    It 'writes progress and completes it at the end' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$ModulePath'; Invoke-ModelScan -LiteralPath '$(Join-Path $Fixtures 'benign')' | Out-Null").Invoke()
            $ps.Streams.Progress.Count | Should -BeGreaterThan 1
            $ps.Streams.Progress[-1].RecordType | Should -Be 'Completed'
            $ps.Streams.Progress[0].Activity | Should -Be 'Scanning model files'
        } finally { $ps.Dispose() }
    }

    It 'stops promptly when the pipeline is stopped (Ctrl+C)' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$ModulePath'; Invoke-ModelScan -LiteralPath '$many' -ThrottleLimit 1")
            $handle = $ps.BeginInvoke()
            Start-Sleep -Milliseconds 300
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        } finally { $ps.Dispose() }
    }
}
