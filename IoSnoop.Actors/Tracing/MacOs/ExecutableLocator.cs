namespace IoSnoop.Actors.Tracing.MacOs;

/// <summary>Finds a tracer the way a shell does: a name containing <c>/</c> is a path, any other name is looked up on PATH.</summary>
public static class ExecutableLocator
{
    /// <summary>The full path of <paramref name="program"/>, or null when there is no such executable file.</summary>
    public static string? Find(string program, string? searchPath)
    {
        if (string.IsNullOrEmpty(program))
            return null;
        if (program.Contains('/'))
            return IsExecutableFile(program) ? Path.GetFullPath(program) : null;
        foreach (var directory in (searchPath ?? string.Empty).Split(Path.PathSeparator))
        {
            // An empty PATH entry means the current directory.
            var candidate = Path.Combine(directory.Length == 0 ? "." : directory, program);
            if (IsExecutableFile(candidate))
                return Path.GetFullPath(candidate);
        }
        return null;
    }

    private static bool IsExecutableFile(string path)
    {
        if (!File.Exists(path))
            return false;
        if (OperatingSystem.IsWindows())
            return true;
        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return (File.GetUnixFileMode(path) & anyExecute) != 0;
    }
}
