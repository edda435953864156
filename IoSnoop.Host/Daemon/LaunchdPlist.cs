using System.Text;
using System.Text.RegularExpressions;
using System.Xml;

namespace IoSnoop.Host.Daemon;

/// <summary>Where a daemon plist was written and the commands that load and unload it.</summary>
/// <param name="PlistPath">The file written.</param>
/// <param name="BootstrapCommand">Loads and starts the daemon: <c>sudo launchctl bootstrap system PLIST</c>.</param>
/// <param name="BootoutCommand">Stops and unloads it (needed before bootstrapping a changed plist).</param>
public sealed record LaunchdInstallation(string PlistPath, string BootstrapCommand, string BootoutCommand);

/// <summary>
/// The launchd property list that runs iosnoopng as a root daemon: started at boot (<c>RunAtLoad</c>),
/// restarted whenever it exits (<c>KeepAlive</c>), stdout and stderr to files. launchd stops a daemon
/// with SIGTERM.
/// </summary>
public static partial class LaunchdPlist
{
    public const string DefaultLabel = "com.iosnoopng.daemon";
    public const string DaemonsDirectory = "/Library/LaunchDaemons";
    public const string DefaultStdoutPath = "/var/log/iosnoopng.log";
    public const string DefaultStderrPath = "/var/log/iosnoopng.err.log";

    /// <summary>The plist text.</summary>
    /// <param name="label">The daemon's launchd label, reverse-DNS style (letters, digits, <c>.</c>, <c>_</c>, <c>-</c>).</param>
    /// <param name="programArguments">argv; argv[0] must be an absolute path (launchd does not search PATH for it).</param>
    /// <param name="stdoutPath">Absolute path of the daemon's standard output.</param>
    /// <param name="stderrPath">Absolute path of the daemon's standard error.</param>
    /// <exception cref="ArgumentException">A value launchd would not accept or XML cannot hold.</exception>
    public static string Render(string label, IReadOnlyList<string> programArguments, string stdoutPath, string stderrPath)
    {
        CheckLabel(label);
        ArgumentNullException.ThrowIfNull(programArguments);
        if (programArguments.Count == 0 || !Path.IsPathFullyQualified(programArguments[0]))
            throw new ArgumentException("argv[0] must be the absolute path of the program.", nameof(programArguments));
        CheckAbsolute(stdoutPath, nameof(stdoutPath));
        CheckAbsolute(stderrPath, nameof(stderrPath));

        var xml = new StringBuilder();
        xml.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        xml.Append("<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n");
        xml.Append("<plist version=\"1.0\">\n<dict>\n");
        AppendString(xml, "Label", label);
        xml.Append("\t<key>ProgramArguments</key>\n\t<array>\n");
        foreach (var argument in programArguments)
            xml.Append("\t\t<string>").Append(Escape(argument, nameof(programArguments))).Append("</string>\n");
        xml.Append("\t</array>\n");
        xml.Append("\t<key>RunAtLoad</key>\n\t<true/>\n");
        xml.Append("\t<key>KeepAlive</key>\n\t<true/>\n");
        AppendString(xml, "StandardOutPath", stdoutPath);
        AppendString(xml, "StandardErrorPath", stderrPath);
        xml.Append("</dict>\n</plist>\n");
        return xml.ToString();
    }

    /// <summary>
    /// Writes <c>DIRECTORY/LABEL.plist</c> (mode 0644, as launchd requires: not writable by group or others)
    /// and returns the commands to print. Replaces an existing file atomically.
    /// </summary>
    public static LaunchdInstallation Write(
        string label,
        IReadOnlyList<string> programArguments,
        string stdoutPath = DefaultStdoutPath,
        string stderrPath = DefaultStderrPath,
        string directory = DaemonsDirectory)
    {
        var path = Path.Combine(directory, label + ".plist");
        InstallFile.Write(path, Render(label, programArguments, stdoutPath, stderrPath));
        return new LaunchdInstallation(
            path,
            $"sudo launchctl bootstrap system {ShellQuote(path)}",
            $"sudo launchctl bootout system/{label}");
    }

    /// <summary>
    /// argv for running this very program as the daemon with <paramref name="daemonArguments"/>:
    /// the apphost's absolute path, or the dotnet host and the entry assembly when started with <c>dotnet iosnoopng.dll</c>.
    /// </summary>
    public static IReadOnlyList<string> CurrentProgramArguments(IEnumerable<string> daemonArguments)
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this program is unknown.");
        var argv = new List<string> { Path.GetFullPath(process) };
        if (Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase)
            && System.Reflection.Assembly.GetEntryAssembly()?.Location is { Length: > 0 } entry)
            argv.Add(Path.GetFullPath(entry));
        argv.AddRange(daemonArguments);
        return argv;
    }

    private static void AppendString(StringBuilder xml, string key, string value) =>
        xml.Append("\t<key>").Append(key).Append("</key>\n\t<string>").Append(Escape(value, key)).Append("</string>\n");

    private static string Escape(string value, string what)
    {
        ArgumentNullException.ThrowIfNull(value, what);
        try
        {
            XmlConvert.VerifyXmlChars(value);
        }
        catch (XmlException)
        {
            throw new ArgumentException($"{what} holds a character XML cannot carry: {value}", what);
        }
        return value.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal);
    }

    private static void CheckLabel(string label)
    {
        if (string.IsNullOrEmpty(label) || !LabelPattern().IsMatch(label))
            throw new ArgumentException($"The label must be reverse-DNS style (letters, digits, '.', '_', '-'): {label}", nameof(label));
    }

    private static void CheckAbsolute(string path, string what)
    {
        if (string.IsNullOrEmpty(path) || !Path.IsPathFullyQualified(path))
            throw new ArgumentException($"{what} must be an absolute path: {path}", what);
    }

    private static string ShellQuote(string text) =>
        SafeForShellPattern().IsMatch(text) ? text : "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelPattern();

    [GeneratedRegex(@"^[A-Za-z0-9/._+:@%=-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex SafeForShellPattern();
}
