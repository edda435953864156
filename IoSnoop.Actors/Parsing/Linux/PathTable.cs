using System.Text;

namespace IoSnoop.Actors.Parsing.Linux;

/// <summary>A file as the kernel knows it: device (kernel <c>s_dev</c>), inode number and inode generation.</summary>
public readonly record struct FileKey(uint Device, ulong Inode, uint Generation)
{
    /// <summary>Shown instead of a path when the tracer never sent one (or it was evicted); never starts with <c>/</c>.</summary>
    public string UnknownPath() => $"(unknown path: device {MountTable.Format(Device)} inode {Inode})";
}

/// <summary>One component of a file's path as the tracer printed it.</summary>
/// <param name="Index">0 for the file's own name, counting up towards the root.</param>
/// <param name="Name">The name as printed; <c>/</c> with <see cref="Length"/> 0 marks the root.</param>
/// <param name="Truncated">The tracer printed only the start of a longer name.</param>
public readonly record struct PathComponent(int Index, string Name, bool Truncated)
{
    public bool IsRoot => Name == "/" && !Truncated;
}

/// <summary>
/// Paths of the files seen during one tracer run, joined from their components. The tracer sends a
/// file's path once (again a minute later at the earliest), so the table keeps them across
/// intervals; it is bounded: when it holds <see cref="Capacity"/> paths, those not used since the
/// previous bound was reached are dropped.
/// </summary>
public sealed class PathTable
{
    /// <summary>Marks a component the tracer cut short.</summary>
    public const string TruncationMark = "…";

    /// <summary>Starts a path whose components towards the root are missing.</summary>
    public const string PartialPrefix = "…/";

    private Dictionary<FileKey, string> _recent = new();
    private Dictionary<FileKey, string> _older = new();

    public PathTable(int capacity = 131_072) => Capacity = Math.Max(2, capacity);

    public int Capacity { get; }

    public int Count => _recent.Count + _older.Count;

    public void Set(FileKey file, string path)
    {
        if (_recent.Count >= Capacity / 2 && !_recent.ContainsKey(file))
        {
            (_older, _recent) = (_recent, _older);
            _recent.Clear();
        }
        _recent[file] = path;
        _older.Remove(file);
    }

    public bool TryGet(FileKey file, out string path)
    {
        if (_recent.TryGetValue(file, out path!))
            return true;
        if (!_older.TryGetValue(file, out path!))
            return false;
        Set(file, path);
        return true;
    }

    /// <summary>
    /// Joins components (any order, one file) into a path: absolute when every component up to the
    /// root marker is there, otherwise the run from the file's own name up to the first gap after
    /// <see cref="PartialPrefix"/>. Cut names end in <see cref="TruncationMark"/>. Null without the
    /// file's own name.
    /// </summary>
    public static string? Join(List<PathComponent> components)
    {
        components.Sort(static (a, b) => a.Index.CompareTo(b.Index));
        var names = new List<PathComponent>(components.Count);
        var rooted = false;
        foreach (var component in components)
        {
            if (component.Index < names.Count)
                continue; // the same index twice (sent twice in one interval): keep the first
            if (component.Index > names.Count)
                break;
            if (component.IsRoot)
            {
                rooted = true;
                break;
            }
            names.Add(component);
        }
        if (names.Count == 0)
            return null;

        var path = new StringBuilder(rooted ? "/" : PartialPrefix);
        for (var index = names.Count - 1; index >= 0; index--)
        {
            path.Append(names[index].Name);
            if (names[index].Truncated)
                path.Append(TruncationMark);
            if (index > 0)
                path.Append('/');
        }
        return path.ToString();
    }
}
