using System.Text;

namespace IoSnoop.Specs.MacOs;

/// <summary>
/// Builds fs_usage lines byte for byte as fs_usage.c's <c>format_print</c> lays them out in <c>-w</c> mode
/// (264 columns: the path field is padded, or cut from the left, so that the elapsed time starts at
/// byte 219). Checked against recorded lines in the specs, then used for cases no recording shows.
/// </summary>
internal static class FsUsageLine
{
    public const int WideColumns = 264;

    /// <summary>A completed disk I/O: <c>D=0x%8.8x  B=0x%-6x /dev/%s </c> then the path.</summary>
    public static byte[] Disk(
        string operation, long bytes, string device, string path, string process,
        long thread = 1234, string time = "12:34:56.123456", long block = 0x1000, string elapsed = "0.000100",
        int indent = 2, int columns = WideColumns)
    {
        var head = Utf8($"{time}  {Operation(operation, indent)} D=0x{block:x8}  B=0x{bytes,-6:x} /dev/{device} ");
        return Join(head, PathField(path, columns - (head.Length + 45)), Tail(elapsed, waited: true, process, thread));
    }

    /// <summary>A CoreStorage chunk or metadata I/O: no space after the device, three spaces before the path.</summary>
    public static byte[] CoreStorage(string operation, long bytes, string device, string path, string process, long thread = 1234, int indent = 4)
    {
        var head = Utf8($"12:34:56.123456  {Operation(operation, indent)} D=0x{0x1000:x8}  B=0x{bytes,-6:x} /dev/{device}");
        return Join(head, Utf8("   "), PathField(path, WideColumns - (head.Length + 45) - 3), Tail("0.000100", waited: true, process, thread));
    }

    /// <summary>A failed disk I/O: <c>[errno]</c> instead of the byte count and device.</summary>
    public static byte[] Error(
        string operation, int errno, string path, string process,
        long thread = 1234, string time = "12:34:56.123456", long block = 0x1000, string elapsed = "0.000100", int indent = 2)
    {
        var head = Utf8($"{time}  {Operation(operation, indent)} D=0x{block:x8}  [{errno,3}]");
        return Join(head, Utf8("   "), PathField(path, WideColumns - (head.Length + 45) - 3), Tail(elapsed, waited: true, process, thread));
    }

    /// <summary>An event with no arguments (<c>THROTTLED</c>).</summary>
    public static byte[] NoArguments(string operation, string path, string process, long thread = 1234)
    {
        var head = Utf8($"12:34:56.123456  {Operation(operation, 2)}{new string(' ', 18)}");
        return Join(head, Utf8("   "), PathField(path, WideColumns - (head.Length + 45) - 3), Tail("0.000100", waited: false, process, thread));
    }

    private static string Operation(string operation, int indent)
    {
        var field = new string(' ', indent) + operation;
        return field.Length > 17 ? field[..17] : field.PadRight(17);
    }

    /// <summary><c>" path "</c> padded to the width, or its tail with a space in front when too long.</summary>
    private static byte[] PathField(string path, int width)
    {
        var field = path.Length == 0 ? [] : Utf8($" {path} ");
        if (width > field.Length)
            return [.. field, .. Enumerable.Repeat((byte)' ', width - field.Length)];
        if (width == field.Length)
            return field;
        if (width <= 0)
            return [];
        var tail = field[(field.Length - width)..];
        tail[0] = (byte)' ';
        return tail;
    }

    private static byte[] Tail(string elapsed, bool waited, string process, long thread)
    {
        var dot = elapsed.IndexOf('.');
        return Utf8($" {elapsed[..dot],3}.{elapsed[(dot + 1)..]}{(waited ? " W" : "  ")} {process}.{thread}");
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] Join(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}
