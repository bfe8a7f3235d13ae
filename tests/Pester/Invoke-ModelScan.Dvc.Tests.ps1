# DVC pointers in a local project end to end: outputs read from a local remote by md5 and scanned as members of
# their pointer, traversal in a pointer path, and the exit codes.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module $ModulePath -Force

    function Add-DvcObject([string] $Storage, [byte[]] $Content) {
        $md5 = ([Security.Cryptography.MD5]::HashData($Content) | ForEach-Object { $_.ToString('x2') }) -join ''
        $folder = Join-Path $Storage 'files' 'md5' $md5.Substring(0, 2)
        New-Item -ItemType Directory -Force $folder | Out-Null
        [IO.File]::WriteAllBytes((Join-Path $folder $md5.Substring(2)), $Content)
        return $md5
    }

    function New-DvcProject([string] $Name, [string] $OutPath) {
        $project = Join-Path $TestDrive $Name
        $storage = Join-Path $TestDrive "$Name-storage"
        New-Item -ItemType Directory -Force (Join-Path $project '.dvc') | Out-Null
        Set-Content (Join-Path $project '.dvc' 'config') "[core]`n    remote = local`n['remote `"local`"']`n    url = $storage`n"
        $pickle = New-PickleBytes
        $md5 = Add-DvcObject $storage $pickle
        Set-Content (Join-Path $project 'model.pkl.dvc') "outs:`n- md5: $md5`n  size: $($pickle.Length)`n  hash: md5`n  path: $OutPath`n"
        return $project
    }
}

Describe 'Invoke-ModelScan with DVC pointers' {
    It 'scans the model a pointer names through the local remote: Critical, exit code 1' {
        $project = New-DvcProject 'ok' 'model.pkl'
        $result = Invoke-ModelScan (Join-Path $project 'model.pkl.dvc')
        $result.Format | Should -Be 'DvcPointer'
        $finding = $result.Findings | Where-Object RuleId -EQ 'MA1001'
        $finding.Severity | Should -Be ([ModelAudit.Severity]::Critical)
        $finding.Member | Should -Be 'model.pkl'
        (Invoke-ChildPwsh "Import-Module '$ModulePath'; Invoke-ModelScan '$project' -EnableExit | Out-Null").ExitCode | Should -Be 1
    }

    It 'reports a pointer path that leaves the project as MA6350 Critical' {
        $project = New-DvcProject 'escape' '../../home/user/.bashrc'
        $result = Invoke-ModelScan (Join-Path $project 'model.pkl.dvc')
        ($result.Findings | Where-Object RuleId -EQ 'MA6350').Severity | Should -Be ([ModelAudit.Severity]::Critical)
        $result.Findings.RuleId | Should -Not -Contain 'MA1001'
    }

    It 'is inconclusive, exit code 2, when the object is nowhere' {
        $project = New-DvcProject 'missing' 'model.pkl'
        Remove-Item -Recurse (Join-Path $TestDrive 'missing-storage')
        $result = Invoke-ModelScan (Join-Path $project 'model.pkl.dvc')
        $result.Outcome | Should -Be 'Inconclusive'
        $result.Findings.RuleId | Should -Contain 'MA9035'
        (Invoke-ChildPwsh "Import-Module '$ModulePath'; Invoke-ModelScan '$project' -EnableExit | Out-Null").ExitCode | Should -Be 2
    }
}
