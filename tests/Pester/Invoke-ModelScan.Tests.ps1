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

        It 'analyses weights by default, and not with -SkipWeightAnalysis' {
            # A .npy float32 vector holding a NaN, as numpy.save writes it (header padded to 64 bytes).
            $header = "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }"
            $header = $header.PadRight(64 - 10 - 1) + "`n"
            $bytes = [byte[]](0x93) + [Text.Encoding]::ASCII.GetBytes('NUMPY') + [byte[]](1, 0) + [BitConverter]::GetBytes([uint16]$header.Length) +
                [Text.Encoding]::ASCII.GetBytes($header) + [BitConverter]::GetBytes([float]1) + [BitConverter]::GetBytes([float]::NaN) +
                [BitConverter]::GetBytes([float]2) + [BitConverter]::GetBytes([float]3)
            $path = Join-Path $TestDrive 'nan.npy'
            [IO.File]::WriteAllBytes($path, $bytes)

            $result = Invoke-ModelScan $path
            $result.Outcome | Should -Be 'Issues'
            $result.Findings.RuleId | Should -Be 'MA8001'
            $result.AnalyzedTensorCount | Should -Be 1
            (Invoke-ModelScan $path -AnalyzeWeights).Findings.RuleId | Should -Be 'MA8001'

            $skipped = Invoke-ModelScan $path -SkipWeightAnalysis
            $skipped.Outcome | Should -Be 'Clean'
            $skipped.AnalyzedTensorCount | Should -Be 0
            { Invoke-ModelScan $path -AnalyzeWeights -SkipWeightAnalysis -ErrorAction Stop } | Should -Throw -ErrorId 'ModelWeightAnalysisConflict*'
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
            $text | Should -Match 'Outcome\s+Format\s+Crit\s+Warn\s+Info\s+File'
            $text | Should -Match 'Issues\s+Pickle\s+1\s+0\s+0\s+os_system_p4\.pkl  \(…/fixtures/malicious\)'
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

Describe 'Invoke-ModelScan over one benign file of every graph, layer, tensor and runtime format' {
    BeforeAll { . (Join-Path $PSScriptRoot 'TestHelpers.ps1') }

    # Issues 10 and 11: models beside the data files they read (ONNX external data, OpenVINO .bin, a SavedModel's
    # variables/ shards, a Core ML package, an Orbax checkpoint's OCDBT folder), plus the single-file fixtures of the
    # other formats. Every file is Clean.
    It 'exits 0 with -EnableExit and every result is Clean' {
        $folder = Join-Path $TestDrive 'every-format'
        Copy-Item (Join-Path $Fixtures 'formats') $folder -Recurse
        $single = 'gguf_tiny_llama.gguf', 'ggjt_v3_tiny.bin', 'numpy_float.npy', 'numpy_structured_subarray.npy'
        Get-ChildItem (Join-Path $Fixtures 'benign') | Where-Object { $_.Name -like 'runtime_*' -or $_.Name -in $single } | Copy-Item -Destination $folder
        $child = Invoke-ChildPwsh "Import-Module '$ModulePath'; Invoke-ModelScan -LiteralPath '$folder' -Recurse -EnableExit | Where-Object Outcome -ne 'Clean' | ForEach-Object { 'NOT CLEAN: ' + `$_.Path + ' ' + `$_.Outcome + ' ' + `$_.Format }"
        $child.Output | Should -Not -Match 'NOT CLEAN'
        $child.ExitCode | Should -Be 0
        (Get-ChildItem $folder -Recurse -File).Count | Should -BeGreaterThan 30
    }

    It 'reads the Orbax checkpoint in it file by file as Orbax and OCDBT formats' {
        $orbax = Join-Path $Fixtures 'formats' 'orbax'
        $child = Invoke-ChildPwsh "Import-Module '$ModulePath'; Invoke-ModelScan -LiteralPath '$orbax' -Recurse | ForEach-Object { `$_.Outcome.ToString() + ' ' + `$_.Format }"
        $lines = $child.Output -split '\r?\n' | Where-Object { $_ }
        $lines | Sort-Object | Should -Be @('Clean OcdbtData', 'Clean OcdbtManifest', 'Clean OcdbtManifest', 'Clean OrbaxMetadata', 'Clean OrbaxMetadata', 'Clean OrbaxMetadata', 'Clean OrbaxMetadata')
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
            # Each record is its own object: a host that keeps them sees each file's status, not the last one's.
            [object]::ReferenceEquals($ps.Streams.Progress[0], $ps.Streams.Progress[1]) | Should -BeFalse
            $ps.Streams.Progress[0].StatusDescription | Should -Not -Be $ps.Streams.Progress[1].StatusDescription
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

Describe 'Invoke-ModelScan as an admin, a CI author and an analyst use it' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Import-Module $ModulePath -Force
        $benign = Join-Path $Fixtures 'benign/torch_state_dict.pt'
        $malicious = Join-Path $Fixtures 'malicious/os_system_p4.pkl'

        # A Hugging Face cache as huggingface_hub lays it out: snapshot files are relative links into ../../blobs/.
        $hub = Join-Path $TestDrive 'hub'
        foreach ($repo in 'models--acme--good', 'models--mallory--evil') {
            $r = Join-Path $hub $repo
            New-Item -ItemType Directory -Force (Join-Path $r 'blobs'), (Join-Path $r 'snapshots/0123456789abcdef') | Out-Null
            $blob = if ($repo -like '*evil') { $malicious } else { $benign }
            Copy-Item $blob (Join-Path $r 'blobs/5fcec5e3504160d9')
            Set-Content -Path (Join-Path $r 'blobs/7d9a1e2b') -Value '{"model_type": "bert"}'
            Push-Location (Join-Path $r 'snapshots/0123456789abcdef')
            New-Item -ItemType SymbolicLink -Path 'pytorch_model.bin' -Target '../../blobs/5fcec5e3504160d9' | Out-Null
            New-Item -ItemType SymbolicLink -Path 'config.json' -Target '../../blobs/7d9a1e2b' | Out-Null
            Pop-Location
        }
        $evilSnapshot = Join-Path $hub 'models--mallory--evil/snapshots/0123456789abcdef'
    }

    Context 'Hugging Face cache folders' {
        It 'scans the files a snapshot links to, keeping the link as Path and recording the target' {
            $results = Invoke-ModelScan $evilSnapshot -WarningVariable warnings -ErrorVariable errors
            $warnings | Should -BeNullOrEmpty
            $errors | Should -BeNullOrEmpty
            $results.Path | Split-Path -Leaf | Should -Be @('config.json', 'pytorch_model.bin')
            $model = $results | Where-Object Path -like '*pytorch_model.bin'
            $model.Outcome | Should -Be 'Issues'
            $model.Findings.RuleId | Should -Contain 'MA1001'
            $model.LinkTarget | Should -Be (Join-Path $hub 'models--mallory--evil/blobs/5fcec5e3504160d9')
        }

        It 'ends a CI step with exit 1 for the malicious snapshot' {
            $child = Invoke-ChildPwsh "Import-Module '$ModulePath'; Invoke-ModelScan -LiteralPath '$evilSnapshot' -EnableExit | Out-Null"
            $child.ExitCode | Should -Be 1
        }

        It 'keeps folder links outside the root unfollowed, and says so only for names the filters keep' {
            $root = Join-Path $TestDrive 'linked'
            New-Item -ItemType Directory -Force $root | Out-Null
            New-Item -ItemType SymbolicLink -Path (Join-Path $root 'elsewhere') -Target (Join-Path $Fixtures 'malicious') | Out-Null
            $null = [IO.File]::CreateSymbolicLink((Join-Path $root 'gone.txt'), (Join-Path $TestDrive 'nothing-here'))
            Copy-Item $benign (Join-Path $root 'model.pt')
            $results = Invoke-ModelScan $root -Recurse -WarningVariable warnings -WarningAction SilentlyContinue
            $results.Path | Split-Path -Leaf | Should -Be 'model.pt'
            ($warnings.Message -join "`n") | Should -Match "elsewhere.*outside"
            ($warnings.Message -join "`n") | Should -Match 'gone\.txt.*does not exist'
            Invoke-ModelScan $root -Include *.pt -WarningVariable quiet -WarningAction SilentlyContinue | Out-Null
            $quiet | Should -BeNullOrEmpty
        }

        It 'shows cache rows by file name and org/repo@revision at 80 and 120 columns' {
            $snapshots = Get-ChildItem $hub -Recurse -File -Filter pytorch_model.bin | Invoke-ModelScan
            $narrow = $snapshots | Out-String -Width 80
            $narrow | Should -Match 'pytorch_model\.bin  \(acme/good@'
            $narrow | Should -Match 'pytorch_model\.bin  \(mallory/evil@'
            $wide = $snapshots | Out-String -Width 120
            $wide | Should -Match 'pytorch_model\.bin  \(acme/good@0123456\)'
            $wide | Should -Match 'pytorch_model\.bin  \(mallory/evil@0123456\)'
        }
    }

    Context 'views at 80 and 120 columns' {
        BeforeAll {
            $long = Join-Path $TestDrive 'a-rather-long-folder-name-for-models/another-long-sub-folder'
            New-Item -ItemType Directory -Force $long | Out-Null
            Copy-Item $malicious (Join-Path $long 'model-00001-of-00002.pkl')
            Copy-Item (Join-Path $Fixtures 'malicious/nested_pickle_loads.pkl') (Join-Path $long 'nested_pickle_loads.pkl')
            $results = Invoke-ModelScan $long
            # Words that fit on a line (a 60-character repr of bytes cannot, and is split wherever it must be).
            $words = ($results | Get-ModelFinding).Message -split '\s+' | Where-Object { $_.Length -gt 3 -and $_.Length -lt 40 } | Sort-Object -Unique
        }

        It 'never cuts a file name in the results table at <Width> columns' -ForEach @(@{ Width = 80 }, @{ Width = 120 }) {
            $text = $results | Out-String -Width $Width
            ($text -split "`n" | Where-Object Length -gt $Width) | Should -BeNullOrEmpty
            $text | Should -Match 'model-00001-of-00002\.pkl'
            $text | Should -Match 'nested_pickle_loads\.pkl'
        }

        It 'wraps finding messages at word boundaries at <Width> columns' -ForEach @(@{ Width = 80 }, @{ Width = 120 }) {
            $text = $results | Get-ModelFinding | Out-String -Width $Width
            $lines = $text -split "`r?`n"
            ($lines | Where-Object Length -gt $Width) | Should -BeNullOrEmpty
            # Every word of every message appears whole on one line: nothing was broken mid-word.
            $tokens = ($lines -split '\s+') | Sort-Object -Unique
            foreach ($word in $words) { $tokens | Should -Contain $word }
            # Continuation lines hang under the message column.
            $lines | Where-Object { $_ -match '^\s{16}\S' } | Should -Not -BeNullOrEmpty
            $text | Should -Match '(?m)^File: model-00001-of-00002\.pkl$'
            $text | Should -Match '(?m)^Critical MA1001 posix\.system'
        }

        It 'shows the full path and the link target in the list view' {
            $text = Invoke-ModelScan (Join-Path $evilSnapshot 'pytorch_model.bin') | Format-List | Out-String -Width 300
            $text | Should -Match ([regex]::Escape((Join-Path $evilSnapshot 'pytorch_model.bin')))
            $text | Should -Match 'LinkTarget\s+: .*blobs'
        }
    }

    Context '-EnableExit in scripts' {
        It 'keeps the worst code of two calls in one script' {
            $child = Invoke-ChildPwsh "Import-Module '$ModulePath'; Invoke-ModelScan -LiteralPath '$malicious' -EnableExit | Out-Null; Invoke-ModelScan -LiteralPath '$benign' -EnableExit | Out-Null; 'after'"
            $child.Output | Should -Match 'after'
            $child.ExitCode | Should -Be 1
        }

        It 'counts a call cut short by Select-Object -First as incomplete' {
            $dir = Join-Path $TestDrive 'two'
            New-Item -ItemType Directory -Force $dir | Out-Null
            Copy-Item $benign (Join-Path $dir 'a.pt'); Copy-Item $benign (Join-Path $dir 'b.pt')
            $child = Invoke-ChildPwsh "Import-Module '$ModulePath'; Invoke-ModelScan -LiteralPath '$dir' -EnableExit | Select-Object -First 1 | Out-Null"
            $child.ExitCode | Should -Be 2
        }

        It 'scans every path and exits 2 for a missing one under ErrorActionPreference Stop' {
            $missing = Join-Path $TestDrive 'missing.pt'
            $child = Invoke-ChildPwsh "`$ErrorActionPreference = 'Stop'; Import-Module '$ModulePath'; Invoke-ModelScan -LiteralPath '$missing', '$benign' -EnableExit | ForEach-Object { 'scanned ' + (Split-Path -Leaf `$_.Path) }"
            $child.Output | Should -Match 'scanned torch_state_dict\.pt'
            $child.Output | Should -Match 'missing\.pt'
            $child.ExitCode | Should -Be 2
        }

        It 'still exits 1 under Stop when a found file is malicious and another is missing' {
            $missing = Join-Path $TestDrive 'missing.pt'
            $child = Invoke-ChildPwsh "`$ErrorActionPreference = 'Stop'; Import-Module '$ModulePath'; Invoke-ModelScan -LiteralPath '$missing', '$malicious' -EnableExit | Out-Null"
            $child.ExitCode | Should -Be 1
        }
    }

    Context 'paths, silence and verbose' {
        BeforeAll {
            $tree = Join-Path $TestDrive 'tree'
            New-Item -ItemType Directory -Force (Join-Path $tree 'sub/deeper') | Out-Null
            Copy-Item $malicious (Join-Path $tree 'top.pkl')
            Copy-Item $malicious (Join-Path $tree 'sub/mid.pkl')
            Copy-Item $malicious (Join-Path $tree 'sub/deeper/low.pkl')
            Copy-Item $benign (Join-Path $tree 'sub/other.pt')
        }

        It 'follows Get-ChildItem for a wildcard leaf under -Recurse' {
            Push-Location $tree
            try {
                $expected = (Get-ChildItem *.pkl -Recurse).Name | Sort-Object
                (Invoke-ModelScan *.pkl -Recurse).Path | Split-Path -Leaf | Sort-Object | Should -Be $expected
                $expected | Should -HaveCount 3
                (Invoke-ModelScan *.pkl).Path | Split-Path -Leaf | Should -Be 'top.pkl'
            } finally { Pop-Location }
        }

        It 'says so when a folder holds only sub-folders' {
            $only = Join-Path $TestDrive 'only-subfolders'
            New-Item -ItemType Directory -Force (Join-Path $only 'a') | Out-Null
            $out = Invoke-ModelScan $only -WarningVariable warnings -WarningAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            ($warnings.Message -join "`n") | Should -Match 'only sub-folders.*-Recurse'
            $warnings.Message | Should -Contain 'No file was scanned.'
        }

        It 'writes the limits, what was skipped and per-file timings with -Verbose' {
            $verbose = Invoke-ModelScan $tree -Include *.pkl -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            $verbose.Message[0] | Should -Match '^Limits: MaxFileSize none'
            ($verbose.Message -join "`n") | Should -Match 'tree.: 1 sub-folder\(s\) not searched'
            ($verbose.Message -join "`n") | Should -Match "top\.pkl': Issues, Pickle, 61 bytes in \d+\.\d{3} s"
            $verbose2 = Invoke-ModelScan (Join-Path $tree 'sub') -Include *.pkl -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            ($verbose2.Message -join "`n") | Should -Match "other\.pt': left out by -Include/-Exclude"
            $limit = Invoke-ModelScan $benign -MaxFileSize 10 -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            ($limit.Message -join "`n") | Should -Match 'Inconclusive.*MA9005'
        }

        It 'keeps site-packages quiet: standard .pth files are Info with their line, others beside models stay Warnings' {
            $env = Join-Path $TestDrive 'venv/lib/python3.12/site-packages'
            New-Item -ItemType Directory -Force $env | Out-Null
            $line = "import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os.environ.get(var, 'local') == 'local'; enabled and __import__('_distutils_hack').add_shim(); "
            Set-Content -Path (Join-Path $env 'distutils-precedence.pth') -Value $line
            Set-Content -Path (Join-Path $env '__editable__.mypkg-0.1.pth') -Value 'import __editable___mypkg_0_1_finder; __editable___mypkg_0_1_finder.install()'
            $results = Invoke-ModelScan $env
            $results.Outcome | Should -Be @('Clean', 'Clean')
            ($results | Get-ModelFinding).RuleId | Should -Be @('MA6320', 'MA6320')
            ($results | Get-ModelFinding)[1].Evidence | Should -Be $line
            $beside = Join-Path $TestDrive 'models-with-pth'
            New-Item -ItemType Directory -Force $beside | Out-Null
            Set-Content -Path (Join-Path $beside 'distutils-precedence.pth') -Value $line
            (Invoke-ModelScan $beside | Get-ModelFinding).RuleId | Should -Be 'MA6005'
        }

        It 'reports a missing policy file clearly' {
            { Invoke-ModelScan $benign -Policy (Join-Path $TestDrive 'no-policy.psd1') } |
                Should -Throw -ErrorId 'ModelPolicyNotFound,ModelAudit.Commands.InvokeModelScanCommand' -ExpectedMessage '*Cannot find the policy file*no-policy.psd1*'
        }
    }

    Context 'objects that export cleanly' {
        It 'writes the path once and readable lists with Export-Csv' {
            $csv = Invoke-ModelScan $malicious | ConvertTo-Csv | ConvertFrom-Csv
            $names = $csv[0].PSObject.Properties.Name
            $names | Should -Not -Contain 'PSPath'
            $names | Should -Not -Contain 'FullName'
            $csv[0].Findings | Should -Be 'MA1001'
            $csv[0].Errors | Should -Be ''
            $rule = Get-ModelScanRule | Where-Object { $_.Cve.Count -gt 1 } | Select-Object -First 1
            ($rule | ConvertTo-Csv | ConvertFrom-Csv).Cve | Should -Be ($rule.Cve -join '; ')
        }

        It 'still binds results to -LiteralPath through the hidden PSPath alias' {
            (Invoke-ModelScan $benign | Invoke-ModelScan).Outcome | Should -Be 'Clean'
        }

        It 'writes names for enums and arrays for lists with the documented ConvertTo-Json recipe' {
            $json = Invoke-ModelScan $malicious | ConvertTo-Json -Depth 5 -EnumsAsStrings | ConvertFrom-Json
            $json.Outcome | Should -Be 'Issues'
            $json.Findings[0].Severity | Should -Be 'Critical'
            , $json.Findings[0].Cve | Should -BeOfType [array]
        }

        It 'sorts outcomes by severity' {
            $dir = Join-Path $TestDrive 'mixed'
            New-Item -ItemType Directory -Force $dir | Out-Null
            Copy-Item $benign (Join-Path $dir 'a.pt'); Copy-Item $malicious (Join-Path $dir 'b.pkl')
            Copy-Item $benign (Join-Path $dir 'c.pt')
            # -MaxFileSize 100 leaves the 1 KB checkpoints Inconclusive and scans the 61-byte pickle.
            $sorted = Invoke-ModelScan $dir -MaxFileSize 100 | Sort-Object Outcome -Descending
            $sorted.Outcome | Should -Be @('Issues', 'Inconclusive', 'Inconclusive')
        }
    }
}

Describe 'Cancelling a scan of a large file' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        # 20 GiB of holes: no disk is used, but hashing it whole takes far longer than the test allows.
        $big = Join-Path $TestDrive 'huge.bin'
        $stream = [IO.File]::Create($big); $stream.SetLength(20GB); $stream.Dispose()
    }

    It 'stops within a second of Ctrl+C while hashing' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$ModulePath'; Invoke-ModelScan -LiteralPath '$big'")
            $handle = $ps.BeginInvoke()
            Start-Sleep -Milliseconds 1500
            $handle.IsCompleted | Should -BeFalse -Because 'the hash must still be running for the test to mean anything'
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 1
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        } finally { $ps.Dispose() }
    }
}

Describe 'Secrets found by a scan' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        Import-Module $ModulePath -Force
        # Made-up values of the real shapes (an OpenAI key carries 'T3BlbkFJ'); the middle of each is what must never be
        # written anywhere.
        $script:Secrets = @(
            @{ Name = 'config.json'; Text = '{"model_type": "llama", "api_token": "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"}'; Middle = 'LzdocJisAjIhKtJRlg' }
            @{ Name = 'credentials'; Text = "[default]`naws_access_key_id = AKIAZ7QXW2RT4YUPLK3M`naws_secret_access_key = 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`n"; Middle = 'xLp4Wm9Zt3Bc6Yh1Jd5G' }
            @{ Name = 'README.md'; Text = "# model`n`nexport OPENAI_API_KEY=sk-proj-Tq3Xv8Lm2Np7Rs4Wz9Yb6Kc1T3BlbkFJHd5Fg0JtQaZxWm4Pq8Rr2`n"; Middle = 'Hd5Fg0JtQaZxWm4P' }
        )
        $script:SecretFolder = Join-Path $TestDrive "secrets"
        New-Item -ItemType Directory -Path $SecretFolder | Out-Null
        foreach ($s in $Secrets) { Set-Content -LiteralPath (Join-Path $SecretFolder $s.Name) -Value $s.Text -NoNewline }
    }

    It 'are reported, and no output stream or report holds the raw value' {
        $results = Invoke-ModelScan -LiteralPath $SecretFolder -MinimumSeverity Info
        ($results | ForEach-Object Findings | Where-Object RuleId -Like 'MA4*').Count | Should -BeGreaterOrEqual $Secrets.Count

        # Every stream of the scan (output, error, warning, verbose, debug, information) in one child process, then
        # every view of the results: the default table, Format-List *, JSON of the objects, and all three reports.
        $reports = Join-Path $TestDrive 'reports'
        New-Item -ItemType Directory -Path $reports | Out-Null
        $script = @"
Import-Module '$ModulePath'
`$VerbosePreference = 'Continue'; `$DebugPreference = 'Continue'; `$InformationPreference = 'Continue'
`$r = Invoke-ModelScan -LiteralPath '$SecretFolder' -MinimumSeverity Info -Verbose -Debug *>&1
`$r | Out-String -Width 400
`$results = `$r | Where-Object { `$_ -is [ModelAudit.ModelScanResult] }
`$results | Format-List * | Out-String -Width 400
`$results | ForEach-Object Findings | Format-List * | Out-String -Width 400
`$results | Get-ModelFinding | Format-Table * -AutoSize | Out-String -Width 400
`$results | ConvertTo-Json -Depth 12
`$results | ConvertTo-ModelScanReport -Format Json
`$results | ConvertTo-ModelScanReport -Format Sarif
`$results | ConvertTo-ModelScanReport -Format CycloneDx
`$results | Export-ModelScanReport -Format Sarif -Path '$reports/scan.sarif'
`$results | Export-ModelSbom -Path '$reports/bom.json'
"@
        $child = Invoke-ChildPwsh $script
        $child.ExitCode | Should -Be 0 -Because $child.Output
        $child.Output | Should -Match 'MA4'
        $written = (Get-ChildItem $reports -File | ForEach-Object { Get-Content -Raw -LiteralPath $_.FullName }) -join "`n"
        $written.Length | Should -BeGreaterThan 0
        foreach ($s in $Secrets) {
            $child.Output | Should -Not -Match $s.Middle -Because "$($s.Name)'s secret must be masked on every stream"
            $written | Should -Not -Match $s.Middle -Because "$($s.Name)'s secret must be masked in the reports"
        }
    }
}

Describe 'Invoke-ModelScan on a Hugging Face-like repository' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
        $repo = Join-Path $TestDrive 'hf_repo'
        Copy-Item (Join-Path $Fixtures 'hf_repo') $repo -Recurse
    }

    It 'exits 0 for the benign repository, with no findings and the card licence on its result' {
        $child = Invoke-ChildPwsh "Import-Module '$ModulePath'; Invoke-ModelScan -LiteralPath '$repo' -EnableExit | Out-Null"
        $child.ExitCode | Should -Be 0 -Because $child.Output
        Import-Module $ModulePath -Force
        $results = Invoke-ModelScan -LiteralPath $repo -MinimumSeverity Info
        $results.Count | Should -Be 8
        ($results | ForEach-Object Findings) | Should -BeNullOrEmpty
        ($results | Where-Object { $_.Path -like '*README.md' }).License.SpdxId | Should -Be 'Apache-2.0'
    }

    It 'exits 1 once a secret is added anywhere in it, and never shows the secret' {
        $token = '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'
        Add-Content -Path (Join-Path $repo 'generation_config.json') -Value "`n// $token"
        $child = Invoke-ChildPwsh "Import-Module '$ModulePath'; Invoke-ModelScan -LiteralPath '$repo' | ForEach-Object Findings | Format-List * | Out-String -Width 400; Invoke-ModelScan -LiteralPath '$repo' -EnableExit | Out-Null"
        $child.ExitCode | Should -Be 1
        $child.Output | Should -Match 'MA4001'
        $child.Output | Should -Not -Match 'LzdocJisAjIhKtJRlg'
    }
}
