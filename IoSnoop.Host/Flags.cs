using System.Globalization;
using System.Numerics;
using System.Reflection;
using System.Text;

namespace IoSnoop.Host;

/// <summary>
/// Makes a property of an options record a command-line flag. The property's initial value is the flag's
/// default and <see cref="Usage"/> its help text. As in Go's <c>flag</c> package, the first back-quoted
/// word of a value flag's usage names its value (<c>-o FILE</c>); help text drops the back quotes, the
/// Markdown tables keep them.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class FlagAttribute(string name, string usage) : Attribute
{
    public string Name { get; } = name;

    public string Usage { get; } = usage;

    /// <summary>One of the original tool's flags (listed apart in the help and README).</summary>
    public bool Original { get; set; }

    /// <summary>For a list: one value may hold several, separated by this character.</summary>
    public char Separator { get; set; }
}

/// <summary>One flag of a <see cref="FlagSet{T}"/>.</summary>
public sealed class Flag
{
    internal Flag(PropertyInfo property, FlagAttribute attribute)
    {
        Property = property;
        Name = attribute.Name;
        Original = attribute.Original;
        Separator = attribute.Separator;
        Usage = attribute.Usage.Replace("`", "", StringComparison.Ordinal);
        MarkdownUsage = attribute.Usage;
        var open = attribute.Usage.IndexOf('`');
        var close = open < 0 ? -1 : attribute.Usage.IndexOf('`', open + 1);
        ValueName = IsBool ? "" : close > open ? attribute.Usage[(open + 1)..close] : TypeName(property.PropertyType);
    }

    public PropertyInfo Property { get; }

    public string Name { get; }

    /// <summary>The help text, plain.</summary>
    public string Usage { get; }

    /// <summary>The help text with its back-quoted words, for Markdown.</summary>
    public string MarkdownUsage { get; }

    /// <summary>What the help shows after the flag's name: empty for a boolean.</summary>
    public string ValueName { get; }

    public bool Original { get; }

    public char Separator { get; }

    public bool IsBool => Property.PropertyType == typeof(bool);

    public bool IsList => Property.PropertyType == typeof(IReadOnlyList<string>);

    /// <summary>The flag as help, docs and messages write it: one dash before a letter, two before a word.</summary>
    public string Written => (Name.Length == 1 ? "-" : "--") + Name;

    /// <summary>The flag and its value name: <c>-o file</c>, <c>--max-files number</c>.</summary>
    public string Synopsis => Written + (ValueName.Length > 0 ? " " + ValueName : "");

    /// <summary>The default as Go's help shows it: null when it is the zero value (not shown).</summary>
    public string? DefaultText(object defaults) => Property.GetValue(defaults) switch
    {
        null or "" or false or 0L or 0 or 0.0 => null,
        true => "true",
        string s => $"\"{s}\"",
        IReadOnlyCollection<string> { Count: 0 } => null,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        var v => v.ToString(),
    };

    /// <summary>The default as README's tables show it: strings as code, booleans spelled out, nothing for none.</summary>
    public string DefaultMarkdown(object defaults) => Property.GetValue(defaults) switch
    {
        null or "" => "",
        string s => $"`{s}`",
        bool b => b ? "true" : "false",
        IReadOnlyCollection<string> { Count: 0 } => "",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        var v => v.ToString() ?? "",
    };

    private static string TypeName(Type type) =>
        type == typeof(long) || type == typeof(int) ? "int" : type == typeof(double) ? "float" : "string";
}

/// <summary>The outcome of parsing a command line.</summary>
/// <param name="Options">The options, or null when the line asked for help or was wrong.</param>
/// <param name="Arguments">What is not a flag: the positional arguments and everything after <c>--</c>.</param>
/// <param name="Error">What is wrong, or null.</param>
public sealed record ParsedFlags<T>(T? Options, IReadOnlyList<string> Arguments, string? Error) where T : class
{
    /// <summary><c>-h</c>, <c>-help</c> or <c>--help</c> was given.</summary>
    public bool HelpRequested => Options is null && Error is null;
}

/// <summary>
/// Go's <c>flag</c> syntax over the <see cref="FlagAttribute"/> properties of an options record:
/// <c>-name value</c>, <c>-name=value</c>, <c>--name</c> the same as <c>-name</c>, booleans alone or as
/// <c>-name=true|false</c> (the spellings of Go's <c>strconv.ParseBool</c>), integers in Go's literal
/// syntax (<c>0x1000</c>, <c>1_000</c>); <c>--</c> ends the flags. Unlike Go, flags may follow positional
/// arguments (<c>bench FILE --warm-up</c>).
/// </summary>
public sealed class FlagSet<T> where T : class
{
    private readonly Func<T> _defaults;

    /// <param name="defaults">Makes a fresh options record holding the defaults (the record's initial
    /// values, or others for the command line); the parser sets the given flags on it.</param>
    public FlagSet(Func<T> defaults)
    {
        _defaults = defaults;
        Flags = [.. typeof(T).GetProperties().OrderBy(p => p.MetadataToken)
            .Select(p => (Property: p, Attribute: p.GetCustomAttribute<FlagAttribute>()))
            .Where(p => p.Attribute is not null)
            .Select(p => new Flag(p.Property, p.Attribute!))];
    }

    public IReadOnlyList<Flag> Flags { get; }

    /// <summary>An options record holding the defaults.</summary>
    public T Defaults => _defaults();

    public ParsedFlags<T> Parse(IReadOnlyList<string> args)
    {
        var options = _defaults();
        var arguments = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                arguments.AddRange(args.Skip(i + 1));
                break;
            }
            if (arg.Length < 2 || arg[0] != '-')
            {
                arguments.Add(arg);
                continue;
            }
            var name = arg[1] == '-' ? arg[2..] : arg[1..];
            string? value = null;
            var eq = name.IndexOf('=');
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            if (name.Length == 0 || name[0] is '-' or '=')
                return Failed($"bad flag syntax: {arg}");
            var flag = Flags.FirstOrDefault(f => f.Name == name);
            if (flag is null)
                return name is "h" or "help" ? new ParsedFlags<T>(null, [], null) : Failed($"flag provided but not defined: -{name}");
            if (flag.IsBool)
                value ??= "true";
            else if (value is null)
            {
                if (i + 1 >= args.Count)
                    return Failed($"flag needs an argument: {flag.Written}");
                value = args[++i];
            }
            if (Set(options, flag, value) is { } problem)
                return Failed(problem);
        }
        return new ParsedFlags<T>(options, arguments, null);
    }

    /// <summary>
    /// Parses as a command does: <c>-h</c> prints <paramref name="usage"/> (exit code 0); a wrong line prints
    /// what is wrong and the usage to <paramref name="errors"/> (exit code 2, as Go's <c>flag</c> package).
    /// </summary>
    /// <returns>Null when the command goes on with <paramref name="options"/>, otherwise its exit code.</returns>
    public int? ParseOrExit(IReadOnlyList<string> args, string usage, TextWriter output, TextWriter errors,
        out T options, out IReadOnlyList<string> arguments)
    {
        var parsed = Parse(args);
        options = parsed.Options!;
        arguments = parsed.Arguments;
        if (parsed.HelpRequested)
        {
            output.Write(usage);
            return 0;
        }
        if (parsed.Error is not null)
        {
            errors.WriteLine(parsed.Error);
            errors.Write(usage);
            return 2;
        }
        return null;
    }

    /// <summary>The flags in Go's help layout: each flag with its value name, then its usage and non-zero default
    /// (names longer than a letter with two dashes, as the README writes them).</summary>
    public string Describe(Func<Flag, bool>? which = null)
    {
        var defaults = _defaults();
        var text = new StringBuilder();
        foreach (var flag in Flags.Where(which ?? (_ => true)))
        {
            text.Append("  ").Append(flag.Synopsis).Append("\n        ").Append(flag.Usage);
            if (flag.DefaultText(defaults) is { } shown)
                text.Append(" (default ").Append(shown).Append(')');
            text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>README's table of the flags: flag, default, meaning.</summary>
    /// <param name="which">The flags to list (all when null).</param>
    /// <param name="defaultMarkdown">Overrides a flag's default cell (null: the default as it is here).</param>
    public string MarkdownTable(Func<Flag, bool>? which = null, Func<Flag, string?>? defaultMarkdown = null)
    {
        var defaults = _defaults();
        var table = new StringBuilder("| flag | default | meaning |\n|---|---|---|\n");
        foreach (var flag in Flags.Where(which ?? (_ => true)))
        {
            var shown = defaultMarkdown?.Invoke(flag) ?? flag.DefaultMarkdown(defaults);
            table.Append($"| `{flag.Synopsis}` |{(shown.Length > 0 ? $" {shown} " : " ")}| {flag.MarkdownUsage} |\n");
        }
        return table.ToString();
    }

    private ParsedFlags<T> Failed(string error) => new(null, [], error);

    private static string? Set(T options, Flag flag, string value)
    {
        var type = flag.Property.PropertyType;
        object parsed;
        if (type == typeof(string))
            parsed = value;
        else if (type == typeof(bool))
        {
            if (!TryParseBool(value, out var b))
                return $"invalid boolean value \"{value}\" for {flag.Written}: use true or false";
            parsed = b;
        }
        else if (type == typeof(long) || type == typeof(int))
        {
            if (!TryParseInteger(value, out var n))
                return $"invalid value \"{value}\" for flag {flag.Written}: not an integer";
            var (min, max) = type == typeof(int) ? ((BigInteger)int.MinValue, (BigInteger)int.MaxValue) : (long.MinValue, long.MaxValue);
            if (n < min || n > max)
                return $"invalid value \"{value}\" for flag {flag.Written}: value out of range";
            parsed = type == typeof(int) ? (object)(int)n : (long)n;
        }
        else if (type == typeof(double))
        {
            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || !double.IsFinite(d))
                return $"invalid value \"{value}\" for flag {flag.Written}: not a number";
            parsed = d;
        }
        else if (type == typeof(IReadOnlyList<string>))
        {
            var values = flag.Separator == default
                ? [value]
                : value.Split(flag.Separator, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            parsed = (IReadOnlyList<string>)[.. (IReadOnlyList<string>)flag.Property.GetValue(options)!, .. values];
        }
        else
            throw new NotSupportedException($"flag {flag.Written} has a type the parser does not know: {type}");
        // The record is fresh from the defaults factory and not seen by anyone yet: setting its init-only
        // properties is what a deserializer does.
        flag.Property.SetValue(options, parsed);
        return null;
    }

    /// <summary>Go's <c>strconv.ParseBool</c>.</summary>
    private static bool TryParseBool(string value, out bool result)
    {
        result = value is "1" or "t" or "T" or "true" or "TRUE" or "True";
        return result || value is "0" or "f" or "F" or "false" or "FALSE" or "False";
    }

    /// <summary>Go's integer literals as <c>strconv.ParseInt(s, 0, 64)</c> reads them: a sign, then decimal,
    /// <c>0x</c> hex, <c>0o</c> or leading-<c>0</c> octal, <c>0b</c> binary; <c>_</c> between digits.</summary>
    private static bool TryParseInteger(string text, out BigInteger value)
    {
        value = 0;
        var s = text;
        var negative = false;
        if (s.Length > 0 && s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        var radix = 10;
        if (s.Length > 1 && s[0] == '0')
        {
            (radix, s) = char.ToLowerInvariant(s[1]) switch
            {
                'x' => (16, s[2..]),
                'o' => (8, s[2..]),
                'b' => (2, s[2..]),
                _ => (8, s[1..]),
            };
            // Go allows an underscore right after a prefix: 0x_1F.
            if (s.Length > 0 && s[0] == '_')
                s = s[1..];
        }
        if (s.Length == 0 || s[^1] == '_')
            return false;
        var previousUnderscore = true;
        foreach (var c in s)
        {
            if (c == '_')
            {
                if (previousUnderscore)
                    return false;
                previousUnderscore = true;
                continue;
            }
            previousUnderscore = false;
            var digit = c is >= '0' and <= '9' ? c - '0' : c is >= 'a' and <= 'f' ? c - 'a' + 10 : c is >= 'A' and <= 'F' ? c - 'A' + 10 : 99;
            if (digit >= radix)
                return false;
            value = value * radix + digit;
        }
        if (negative)
            value = -value;
        return true;
    }
}
