using System.Text;

namespace ModelAudit.Engine.Tests;

/// <summary>Licence detection recorded on the result: model cards, metadata, LICENSE texts.</summary>
public sealed class LicenseTests
{
    private static ModelScanResult ScanText(string text, string name) => Scan.Bytes(Encoding.UTF8.GetBytes(text), name);

    [Theory]
    [InlineData("---\nlicense: mit\n---\n# Model\n", "README.md", "MIT", "mit")]
    [InlineData("---\nlicense:\n- cc-by-nc-4.0\n---\n", "README.md", "CC-BY-NC-4.0", "cc-by-nc-4.0")]
    [InlineData("---\nlicense: other\nlicense_name: llama3.1\n---\n", "README.md", null, "llama3.1")]
    [InlineData("---\nlicense: llama3\n---\n", "README.md", null, "llama3")]
    [InlineData("                                 Apache License\n                           Version 2.0, January 2004\n", "LICENSE", "Apache-2.0", "Apache-2.0")]
    [InlineData("MIT License\n\nCopyright (c) 2024\n\nPermission is hereby granted, free of charge, to any person\n", "LICENSE.txt", "MIT", "MIT")]
    [InlineData("GNU GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007\n", "COPYING", "GPL-3.0-only", "GPL-3.0-only")]
    public void Declared_licences_are_recorded(string text, string name, string? spdx, string declared)
    {
        ModelScanResult result = ScanText(text, name);
        Assert.NotNull(result.License);
        Assert.Equal(spdx, result.License!.SpdxId);
        Assert.Equal(declared, result.License.Name);
        Assert.Empty(result.Findings);
    }

    [Fact]
    public void SafeTensors_metadata_licence_is_recorded()
    {
        byte[] json = Encoding.UTF8.GetBytes("{\"__metadata__\":{\"license\":\"apache-2.0\"},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}");
        ModelScanResult result = Scan.Bytes(BitConverter.GetBytes((ulong)json.Length).Concat(json).Concat(new byte[4]).ToArray(), "model.safetensors");
        Assert.Equal("Apache-2.0", result.License?.SpdxId);
    }

    [Fact]
    public void Files_without_a_licence_have_none()
    {
        Assert.Null(ScanText("# Model\nNo front matter.\n", "README.md").License);
        Assert.Null(ScanText("Some notes about licensing in general.\n", "LICENSE").License);
    }
}
