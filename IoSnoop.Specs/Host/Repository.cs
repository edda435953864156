namespace IoSnoop.Specs.Host;

/// <summary>Files of the repository the specs were built from.</summary>
internal static class Repository
{
    public static string File(string relativePath)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "IoSnoop.sln")))
                return Path.Combine(dir.FullName, relativePath);
        throw new InvalidOperationException($"IoSnoop.sln is not above {AppContext.BaseDirectory}");
    }
}
