using System.Text;
using IoSnoop.Host.Daemon;
using IoSnoop.Specs.Support;

namespace IoSnoop.Specs.Host;

public sealed class InstallSystemdSpecs : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("iosnoop-systemd-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string UnitPath => Path.Combine(_dir, "iosnoopng.service");

    [Fact]
    public async Task Install_systemd_writes_the_shipped_unit_running_this_program_with_the_daemon_flags()
    {
        var (code, output) = await DaemonProcess.RunToEnd(TimeSpan.FromSeconds(30),
            "install-systemd", "--dir", _dir, "--", "-a", "127.0.0.1:9000", "--token-file", "/etc/iosnoopng token", "--db", "/var/lib/x.db");

        Assert.Equal(0, code);
        Assert.Contains($"Wrote {UnitPath}", output);
        Assert.Contains("systemctl daemon-reload && systemctl enable --now iosnoopng", output);
        var unit = await File.ReadAllLinesAsync(UnitPath, TestContext.Current.CancellationToken);
        var shipped = await File.ReadAllLinesAsync(Repository.File("IoSnoop.Host/Daemon/iosnoopng.service"), TestContext.Current.CancellationToken);
        var exec = Array.FindIndex(shipped, l => l.StartsWith("ExecStart=", StringComparison.Ordinal));
        Assert.True(exec >= 0);
        // Everything but ExecStart is the shipped unit.
        Assert.Equal(shipped.Where((_, i) => i != exec), unit.Where((_, i) => i != exec));
        var argv = SystemdWords(unit[exec]["ExecStart=".Length..]);
        Assert.True(Path.IsPathFullyQualified(argv[0]), argv[0]);
        Assert.True(File.Exists(argv[0]), argv[0]);
        // Run as `dotnet iosnoopng.dll`: the dotnet host, then the daemon's assembly.
        Assert.Equal(DaemonProcess.Executable, argv[1]);
        Assert.Equal(["-a", "127.0.0.1:9000", "--token-file", "/etc/iosnoopng token", "--db", "/var/lib/x.db"], argv[2..]);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                File.GetUnixFileMode(UnitPath));
    }

    [Fact]
    public async Task Install_systemd_refuses_bad_daemon_flags_and_writes_nothing()
    {
        var (code, output) = await DaemonProcess.RunToEnd(TimeSpan.FromSeconds(30), "install-systemd", "--dir", _dir, "--", "-t", "32M");
        Assert.Equal(2, code);
        Assert.Contains("The daemon flags are not valid: invalid value \"32M\" for flag -t: not an integer", output);
        Assert.False(File.Exists(UnitPath));
    }

    [Theory]
    [InlineData("flag provided but not defined: -a", "-a", "127.0.0.1:9000")]
    [InlineData("flag needs an argument: --dir", "--dir")]
    public void Its_own_flags_are_read_by_the_same_parser(string error, params string[] args)
    {
        var errors = new StringWriter();
        Assert.Equal(2, IoSnoop.Host.Subcommands.InstallSystemd(args, TextWriter.Null, errors));
        Assert.StartsWith(error + "\n", errors.ToString().ReplaceLineEndings("\n"));
        Assert.Contains("Usage: iosnoopng install-systemd", errors.ToString());
    }

    [Fact]
    public void Installing_again_replaces_the_unit()
    {
        var output = new StringWriter();
        Assert.Equal(0, IoSnoop.Host.Subcommands.InstallSystemd(["--dir", _dir, "--", "--max-files", "10"], output, TextWriter.Null));
        Assert.Equal(0, IoSnoop.Host.Subcommands.InstallSystemd(["-dir=" + _dir, "--", "--max-files", "20"], output, TextWriter.Null));
        var exec = File.ReadAllLines(UnitPath).Single(l => l.StartsWith("ExecStart=", StringComparison.Ordinal));
        Assert.EndsWith(" --max-files 20", exec);
        Assert.Equal(["iosnoopng.service"], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("127.0.0.1:9000", "127.0.0.1:9000")]
    [InlineData("", "\"\"")]
    [InlineData("two words", "\"two words\"")]
    [InlineData("100%", "100%%")]
    [InlineData("$HOME", "$$HOME")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [InlineData(@"C:\dir", "\"C:\\\\dir\"")]
    [InlineData("it's", "\"it's\"")]
    [InlineData(";", "\";\"")]
    public void A_word_is_quoted_so_that_systemd_reads_it_back(string word, string quoted)
    {
        Assert.Equal(quoted, SystemdUnit.Quote(word));
        Assert.Equal([word], SystemdWords(SystemdUnit.Quote(word)));
    }

    [Fact]
    public void A_line_break_cannot_go_into_the_unit() =>
        Assert.Throws<ArgumentException>(() => SystemdUnit.Render(SystemdUnit.Template(), ["/usr/local/bin/iosnoopng", "-o", "a\nb"]));

    [Fact]
    public void The_program_must_be_an_absolute_path() =>
        Assert.Throws<ArgumentException>(() => SystemdUnit.Render(SystemdUnit.Template(), ["iosnoopng"]));

    [Fact]
    public void The_embedded_unit_is_the_shipped_one() =>
        Assert.Equal(File.ReadAllText(Repository.File("IoSnoop.Host/Daemon/iosnoopng.service")), SystemdUnit.Template());

    /// <summary>
    /// A command line split as systemd.service(5) describes: words separated by blanks; in double quotes,
    /// <c>\</c> escapes the next character; <c>%%</c> is <c>%</c> and <c>$$</c> is <c>$</c>.
    /// </summary>
    private static List<string> SystemdWords(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == ' ')
            {
                if (inWord)
                    words.Add(word.ToString());
                word.Clear();
                inWord = false;
                continue;
            }
            inWord = true;
            if (c == '"')
            {
                for (i++; line[i] != '"'; i++)
                    word.Append(line[i] == '\\' ? line[++i] : line[i]);
                continue;
            }
            Assert.False(c is '\\' or '\'' or ';', $"unquoted {c} in {line}");
            word.Append(c);
        }
        if (inWord)
            words.Add(word.ToString());
        return [.. words.Select(w => w.Replace("%%", "%", StringComparison.Ordinal).Replace("$$", "$", StringComparison.Ordinal))];
    }
}
