using System.Runtime.InteropServices;

namespace ModelAudit.Engine.Sources;

/// <summary>
/// What kind of file a path is, following links. .NET reports a FIFO, socket or device as an ordinary file, and
/// opening one blocks (a FIFO with no writer) or never ends (/dev/zero), so Unix paths are checked with stat(2)
/// through the runtime's own native shim before they are opened.
/// </summary>
internal static class FileKind
{
    // System.Native's FileStatus: int Flags, then int Mode (S_IFMT bits as on Linux and macOS).
    private const int ModeOffset = 4;
    private const int StatBufferSize = 256;
    private const int TypeMask = 0xF000;

    /// <summary>Null for a regular file (or where the check is not possible); otherwise what the file is.</summary>
    public static string? NotRegular(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return null; // devices and pipes are not reachable through ordinary Windows paths
        }

        byte[] buffer = new byte[StatBufferSize];
        try
        {
            if (Stat(path, buffer) != 0)
            {
                return null; // gone or unreadable: opening it reports the real error
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }

        int mode = BitConverter.ToInt32(buffer, ModeOffset);
        return (mode & TypeMask) switch
        {
            0x8000 => null,
            0x1000 => "a named pipe (FIFO)",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0xC000 => "a socket",
            0x4000 => "a directory",
            _ => "not a regular file",
        };
    }

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", CharSet = CharSet.Ansi, SetLastError = true)]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] buffer);
}
