using ModelAudit.Engine.Detection;

namespace ModelAudit.Engine.Containers;

/// <summary>The archive and compression formats, and the model flavours a zip or tar is recognised as.</summary>
internal static class ContainerFormats
{
    private static readonly string[] s_picklePayloadNames = { ".pkl", ".pickle", ".joblib" };

    // saveRDS and save compress R objects with gzip (the default), bzip2 or xz under their own names.
    private static readonly string[] s_rObjectNames = { ".rds", ".rda", ".rdata" };

    public static ModelFormat Zip { get; } = new("Zip", "Zip archives (zip64 included)", FormatRisk.Container,
        ".zip", ".npz", ".keras", ".pt", ".pth", ".ckpt", ".pkl", ".pickle", ".mar", ".nemo", ".skops");

    public static ModelFormat PyTorchZip { get; } = new("PyTorchZip", "PyTorch zip checkpoints (torch.save); their pickles run on torch.load",
        FormatRisk.CodeBearing, ".zip", ".pt", ".pth", ".ckpt", ".pkl", ".pickle", ".bin", ".mar");

    public static ModelFormat TorchScript { get; } = new("TorchScript", "TorchScript archives: code torch.jit.load compiles and runs",
        FormatRisk.CodeBearing, ".zip", ".pt", ".pth", ".ckpt", ".ptl", ".pte");

    public static ModelFormat NumPyZip { get; } = new("NumPyZip", "NumPy .npz archives of .npy arrays", FormatRisk.Container, ".npz", ".zip");

    public static ModelFormat Tar { get; } = new("Tar", "Tar archives (v7, ustar, GNU, pax)", FormatRisk.Container, ".tar", ".pt", ".pth", ".ckpt", ".nemo");

    public static ModelFormat PyTorchLegacyTar { get; } = new("PyTorchLegacyTar", "PyTorch's legacy tar checkpoints (sys_info, pickle, storages, tensors)",
        FormatRisk.CodeBearing, ".tar", ".pt", ".pth", ".ckpt");

    public static ModelFormat SevenZip { get; } = new("SevenZip", "7-Zip archives, solid or not", FormatRisk.Container, ".7z");

    public static ModelFormat Gzip { get; } = new("Gzip", "gzip-compressed content", FormatRisk.Container, With(".gz", ".tgz").Concat(s_rObjectNames).ToArray());

    public static ModelFormat Bzip2 { get; } = new("Bzip2", "bzip2-compressed content", FormatRisk.Container, With(".bz2").Concat(s_rObjectNames).ToArray());

    public static ModelFormat Xz { get; } = new("Xz", "xz-compressed content", FormatRisk.Container, With(".xz").Concat(s_rObjectNames).ToArray());

    public static ModelFormat Zstd { get; } = new("Zstd", "Zstandard-compressed content", FormatRisk.Container, With(".zst"));

    public static ModelFormat Lz4 { get; } = new("Lz4", "LZ4 frames (joblib lz4 compression)", FormatRisk.Container, With(".lz4"));

    public static ModelFormat Zlib { get; } = new("Zlib", "zlib-compressed content (joblib compress=…)", FormatRisk.Container, With(".z", ".zlib"));

    public static ModelFormat Lzma { get; } = new("Lzma", "LZMA-alone compressed content (joblib)", FormatRisk.Container, With(".lzma"));

    // joblib and pandas compress pickles under their usual names.
    private static string[] With(params string[] own) => own.Concat(s_picklePayloadNames).ToArray();
}
