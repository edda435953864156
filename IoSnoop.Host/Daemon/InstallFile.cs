using System.Text;

namespace IoSnoop.Host.Daemon;

/// <summary>Writes the files that make iosnoopng a system daemon.</summary>
internal static class InstallFile
{
    /// <summary>
    /// Writes <paramref name="path"/> with mode 0644 (launchd and systemd refuse, or warn about, a root
    /// daemon's file that others may write), creating its directory; replaces an existing file atomically.
    /// </summary>
    public static void Write(string path, string text)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            File.WriteAllText(temporary, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
