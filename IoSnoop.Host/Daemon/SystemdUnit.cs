namespace IoSnoop.Host.Daemon;

/// <summary>Where a systemd unit was written and the command that enables and starts it.</summary>
public sealed record SystemdInstallation(string UnitPath, string EnableCommand, string RestartCommand);

/// <summary>
/// The systemd unit that runs iosnoopng as a root service: the shipped <c>Daemon/iosnoopng.service</c>
/// (embedded in the executable) with its <c>ExecStart</c> line running the given command.
/// </summary>
public static class SystemdUnit
{
    public const string UnitName = "iosnoopng";
    public const string UnitsDirectory = "/etc/systemd/system";

    /// <summary>The shipped unit, as in the repository.</summary>
    public static string Template()
    {
        using var stream = typeof(SystemdUnit).Assembly.GetManifestResourceStream(UnitName + ".service")
            ?? throw new InvalidOperationException($"{UnitName}.service is not embedded in this program.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The unit text: <paramref name="template"/> with <c>ExecStart</c> running <paramref name="programArguments"/>.</summary>
    /// <param name="programArguments">argv; argv[0] must be an absolute path.</param>
    /// <exception cref="ArgumentException">A value systemd would not accept or a unit file cannot hold.</exception>
    public static string Render(string template, IReadOnlyList<string> programArguments)
    {
        ArgumentNullException.ThrowIfNull(programArguments);
        if (programArguments.Count == 0 || !Path.IsPathFullyQualified(programArguments[0]))
            throw new ArgumentException("argv[0] must be the absolute path of the program.", nameof(programArguments));
        var lines = template.Split('\n');
        var exec = Array.FindIndex(lines, l => l.StartsWith("ExecStart=", StringComparison.Ordinal));
        if (exec < 0)
            throw new InvalidOperationException("The unit template has no ExecStart line.");
        lines[exec] = "ExecStart=" + string.Join(' ', programArguments.Select(Quote));
        return string.Join('\n', lines);
    }

    /// <summary>Writes <c>DIRECTORY/iosnoopng.service</c> (mode 0644), replacing an existing file atomically.</summary>
    public static SystemdInstallation Write(IReadOnlyList<string> programArguments, string directory = UnitsDirectory)
    {
        var path = Path.Combine(directory, UnitName + ".service");
        InstallFile.Write(path, Render(Template(), programArguments));
        return new SystemdInstallation(path, $"systemctl daemon-reload && systemctl enable --now {UnitName}",
            $"systemctl daemon-reload && systemctl restart {UnitName}");
    }

    /// <summary>
    /// One word of a systemd command line: <c>%</c> (specifiers) and <c>$</c> (variables) doubled so that they
    /// stay themselves; in double quotes, with <c>\</c> and <c>"</c> escaped, when it is empty or holds a
    /// blank, a quote, a backslash or a <c>;</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The word holds a control character (a line break would end the line).</exception>
    public static string Quote(string word)
    {
        if (word.Any(char.IsControl))
            throw new ArgumentException($"A unit file cannot hold a control character in a command line: {word}", nameof(word));
        var escaped = word.Replace("%", "%%", StringComparison.Ordinal).Replace("$", "$$", StringComparison.Ordinal);
        if (escaped.Length > 0 && !escaped.Any(c => c is ' ' or '"' or '\'' or '\\' or ';'))
            return escaped;
        return "\"" + escaped.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }
}
